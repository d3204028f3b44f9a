import Contracts
import Foundation
import ServiceKit

extension FeedbackBulkFill {
  /// What the fill draws tickets from: the store's category tree and SLA policies, and the
  /// fill's issues.
  public struct Catalog: Sendable {
    /// Category paths, most reported first (ticket counts fall off as 1/rank).
    var categories: [String]
    var cumulativeWeights: [Double]
    var policies: [SLAPolicyRecord]
    /// The fill's issues, by category.
    public var issues: [BulkIssue]

    init(categories: [String], policies: [SLAPolicyRecord], options: Options) {
      self.categories = categories
      var total = 0.0
      cumulativeWeights = categories.indices.map { rank in
        total += 1 / Double(rank + 1)
        return total
      }
      self.policies = policies
      var random = SplitMix64(seed: options.seed ^ 0x1551_E5)
      issues = (0..<(categories.isEmpty ? 0 : options.issues)).map { n in
        let category = categories[random.below(categories.count)]
        return BulkIssue(
          id: "issue-" + String(n), title: "Recurring \(category) problem \(n)", category: category,
          createdAt: options.asOfSeconds - random.seconds(0, 90 * 86400))
      }
    }

    func category(_ random: inout SplitMix64) -> String {
      let pick = random.uniform(0, cumulativeWeights.last ?? 1)
      return categories[cumulativeWeights.firstIndex { pick < $0 } ?? (categories.count - 1)]
    }
  }

  /// The calls that made ticket `n`: its creation spread over the two years before `asOf`
  /// (the open backlog, `openShare` of the tickets, mostly in the last weeks), then the loop
  /// up to closing, cut at `asOf`.
  public func plan(_ n: Int, catalog: Catalog) -> BulkTicketPlan {
    var random = SplitMix64(seed: options.seed &+ UInt64(n) &* 0xD1B5_4A32_D192_ED03)
    _ = random.next()
    let hour: Double = 3600
    let day: Double = 86400
    let asOf = options.asOfSeconds
    let span = Int64(options.years * 365 * 86400)
    let backlog = random.chance(options.openShare)
    let kind: Crm_Feedback_V1_TicketKind =
      switch random.uniform(0, 1) {
      case ..<0.6: .feedback
      case ..<0.75: .complaint
      default: .enquiry
      }
    let priority: Crm_Feedback_V1_Priority =
      kind == .enquiry ? .enquiry : (random.chance(0.12) ? .urgent : .normal)
    let channels: [(Crm_Feedback_V1_IntakeChannel, Double)] = [
      (.inApp, 0.40), (.agent, 0.55), (.survey, 0.65), (.email, 0.80), (.phone, 0.95), (.review, 1),
    ]
    let channelPick = random.uniform(0, 1)
    let channel = channels.first { channelPick < $0.1 }?.0 ?? .inApp
    let category = catalog.category(&random)
    let text = random.chance(0.3) ? "Customer note \(n)" : ""
    let customer = options.customerID(random.below(options.customers))
    let created: Int64
    if backlog {
      // Backlog age: most a few days old, a tail of weeks (at most 120 days).
      let age = min(-log(1 - random.uniform(0, 0.999)) * 10 * day, 120 * day)
      created = asOf - Int64(max(age, 2 * hour))
    } else {
      let slot = span / Int64(max(options.tickets, 1))
      created =
        asOf - span + Int64(n) * span / Int64(max(options.tickets, 1))
        + random.seconds(0, Double(max(slot, 1)))
    }
    let policy = catalog.policies.first {
      $0.matches(
        kind: kind.rawValue, priority: priority.rawValue, channel: channel.rawValue,
        category: category, tier: nil)
    }
    let firstAllowance = Double(policy?.firstResponseSeconds ?? 1800)
    let agentNumber = random.below(options.agents)
    let agent = Self.agentID(agentNumber)
    let team = Self.teamID(agentNumber % max(options.teams, 1))

    var steps: [BulkTicketPlan.Step] = []
    func at(_ time: Int64, _ action: BulkTicketPlan.Action) {
      steps.append(.init(at: time, action: action))
    }
    at(
      created,
      .create(
        customerID: customer, kind: kind, priority: priority, channel: channel, category: category,
        text: text))
    // First response: 95 % within the allowance, as the documents require.
    let response = max(
      30,
      firstAllowance * (random.chance(0.95) ? random.uniform(0.1, 0.95) : random.uniform(1.05, 4)))
    at(
      created + Int64(max(1, response * random.uniform(0.2, 0.8))),
      .assign(ownerID: agent, teamID: team, actorID: "dispatcher"))
    let acknowledged = created + Int64(response)
    at(acknowledged, .transition(to: .acknowledged, actorID: agent))
    // Two in five tickets of an issue's category, once the issue exists, report it.
    let issue = catalog.issues.first { $0.category == category && $0.createdAt < created }
    if let issue, random.chance(0.4) {
      at(acknowledged + 60, .linkIssue(issueID: issue.id, actorID: agent))
    }
    var time = acknowledged + random.seconds(60, 2 * hour)
    at(time, .transition(to: .inProgress, actorID: agent))
    var stop: Crm_Feedback_V1_TicketStatus = .closed
    if backlog {
      stop =
        switch random.uniform(0, 1) {
        case ..<0.25: .acknowledged
        case ..<0.8: .inProgress
        default: .waitingOnCustomer
        }
    }
    if random.chance(0.3) {
      time +=
        random.chance(0.95)
        ? random.seconds(4 * hour, 40 * hour) : random.seconds(48 * hour, 60 * hour)
      at(time, .progress(actorID: agent, note: "Working on it"))
    }
    if stop == .waitingOnCustomer || random.chance(0.12) {
      time += random.seconds(hour, 20 * hour)
      at(time, .transition(to: .waitingOnCustomer, actorID: agent))
      time += random.seconds(2 * hour, 72 * hour)
      at(time, .transition(to: .inProgress, actorID: agent))
    }
    if kind == .complaint {
      time +=
        random.chance(0.95)
        ? random.seconds(hour / 2, 20 * hour) : random.seconds(24 * hour, 40 * hour)
    } else {
      time +=
        random.chance(0.95) ? random.seconds(hour, 36 * hour) : random.seconds(3 * day, 9 * day)
    }
    let resolved = time
    at(resolved, .transition(to: .resolved, actorID: agent))
    time += random.seconds(300, 4 * hour)
    at(time, .transition(to: .customerTold, actorID: agent))
    at(time + random.seconds(day, 3 * day), .transition(to: .closed, actorID: agent))
    if random.chance(options.csatShare) {
      let score =
        switch random.uniform(0, 1) {
        case ..<0.45: 5
        case ..<0.75: 4
        case ..<0.87: 3
        case ..<0.94: 2
        default: 1
        }
      at(
        resolved + random.seconds(hour, 72 * hour),
        .csat(score: score, comment: score <= 2 ? "Not happy" : ""))
    }

    steps = steps.enumerated().sorted { ($0.element.at, $0.offset) < ($1.element.at, $1.offset) }
      .map(\.element)
    if stop != .closed,
      let last = steps.firstIndex(where: { $0.action == .transition(to: stop, actorID: agent) })
    {
      steps = Array(steps[...last])
      // An open ticket being worked on reports progress before each 48-hour update falls due
      // (most of the time), so its next-update clock runs; its resolution clock may be past due.
      if stop != .waitingOnCustomer {
        var update = steps[last].at
        for _ in 0..<200 {
          update += random.seconds(20 * hour, random.chance(0.9) ? 46 * hour : 60 * hour)
          if update > asOf { break }
          at(update, .progress(actorID: agent, note: "Still working on it"))
        }
      }
    }
    steps = steps.filter { $0.at <= asOf }
    return BulkTicketPlan(ticketID: Self.ticketID(n, seed: options.seed), steps: steps)
  }
}
