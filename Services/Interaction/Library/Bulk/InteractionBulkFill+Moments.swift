import Contracts
import Foundation
import GRDB
import ServiceKit

/// How many open tasks each customer gets: the remaining total shared over the remaining
/// customers, drawn around the mean so that some customers have none and some several, and
/// the last one takes what is left, so the total is exact.
struct TaskBudget {
  var remaining: Int
  var customersLeft: Int

  mutating func share(using random: inout SplitMix64) -> Int {
    defer { customersLeft -= 1 }
    guard remaining > 0 else { return 0 }
    guard customersLeft > 1 else { return remaining }
    let mean = Double(remaining) / Double(customersLeft)
    return min(remaining, Int.random(in: 0...Int((2 * mean).rounded()), using: &random))
  }
}

/// The days before `asOf` whose birthdays and anniversaries the daily scan has already greeted.
struct GreetingWindow {
  let asOf: Date
  let days: Int
  /// month * 100 + day of the UTC days around the window: a cheap test before the calendar.
  private let nearby: Set<Int>

  init(asOf: Date, days: Int) {
    self.asOf = asOf
    self.days = days
    var utc = Calendar(identifier: .gregorian)
    utc.timeZone = TimeZone(identifier: "UTC")!
    var nearby = Set<Int>()
    for offset in -(days + 2)...2 {
      let parts = utc.dateComponents([.month, .day], from: asOf.addingTimeInterval(Double(offset) * 86_400))
      nearby.insert(parts.month! * 100 + parts.day!)
    }
    if nearby.contains(228) { nearby.insert(229) }
    self.nearby = nearby
  }

  /// When the scan greeted `month`/`day` in `zone` during the window (local midnight plus the
  /// scan's half minute) and in which local year; nil when the date is not in the window.
  func occurrence(month: Int, day: Int, zone: TimeZone) -> (year: Int, at: Date)? {
    guard nearby.contains(month * 100 + day) else { return nil }
    var local = Calendar(identifier: .gregorian)
    local.timeZone = zone
    let today = local.startOfDay(for: asOf)
    let year = local.component(.year, from: asOf)
    for candidate in [year, year - 1] {
      let isLeap = (candidate % 4 == 0 && candidate % 100 != 0) || candidate % 400 == 0
      let celebrated = month == 2 && day == 29 && !isLeap ? 28 : day
      guard let start = local.date(from: DateComponents(year: candidate, month: month, day: celebrated)) else { continue }
      if start < today && start >= today.addingTimeInterval(-Double(days) * 86_400) {
        return (candidate, start.addingTimeInterval(30))
      }
    }
    return nil
  }
}

extension InteractionBulkFill {
  /// Open tasks due longer ago than this have been done; the rest of the overdue stay open.
  public static let overdueBacklog: TimeInterval = 2 * 86_400

  /// Moment kinds of the open backlog, with a weight and who can have them.
  private static let backlogKinds: [(kind: String, weight: Int, applies: @Sendable (BulkCustomer) -> Bool)] = [
    ("registration", 3, { $0.facts.lifecycleStage == "new" }),
    ("first_purchase", 2, { _ in true }),
    ("service_completed", 3, { _ in true }),
    ("churn_warning", 3, { ["dormant", "churned"].contains($0.facts.lifecycleStage) }),
    ("complaint_resolved", 1, { _ in true }),
    ("product_launch", 2, { _ in true }),
    ("member_event", 2, { _ in true }),
    ("holiday", 1, { _ in true }),
    // Operator-defined: a customer entering the high-value tier gets a dedicated manager.
    ("tier_entered", 4, { $0.facts.tier == "high_value" }),
  ]

  /// The steps of the plan `kind` uses for `tier`, as the care-defaults migration wrote it.
  private static func steps(of kind: String, tier: String) -> [CareStepData] {
    let plans = DefaultCarePlans.plans
    return (plans.first { $0.momentKind == kind && $0.tier == tier } ?? plans.first { $0.momentKind == kind && $0.tier == "" })?
      .steps ?? []
  }

  /// The customer's moments: the scan's greetings of the recent days, then a backlog of
  /// moments from the last three weeks, all recorded oldest first through the service's planner.
  /// Staff keep up: a task due more than ``overdueBacklog`` before `asOf` has been completed
  /// (as CompleteTask leaves it), so the open tasks are the recent overdue ones and those still
  /// to come, and they make up the customer's share. Returns the rows written.
  static func writeMoments(
    _ db: Database, of customer: BulkCustomer, plan: Plan, window: GreetingWindow, budget: inout TaskBudget,
    counts: inout Counts
  ) throws -> Int {
    var random = SplitMix64(seed: plan.seed, index: customer.n, purpose: 3)
    let share = budget.share(using: &random)
    let isLast = budget.customersLeft == 0
    let tier = customer.facts.tier
    var moments: [(kind: String, occurrence: String, at: Date)] = []
    // Every greeting of the window is written, as the scan created it whatever the backlog.
    for date in customer.dates {
      guard let greeted = window.occurrence(month: date.month, day: date.day, zone: customer.facts.zone) else { continue }
      moments.append((date.kind, "\(date.kind)-\(greeted.year)", greeted.at))
    }
    // Backlog kinds never step on the customer's opted-out channel, so none is suppressed.
    let kinds = backlogKinds.filter { entry in
      entry.applies(customer) && !steps(of: entry.kind, tier: tier).contains { !$0.transactional && $0.channel == customer.optOut }
    }
    let openFrom = plan.asOf.addingTimeInterval(-overdueBacklog)
    // Tasks expected to stay open (caps only move a task later, so never fewer).
    var expected = 0
    while expected < share {
      let kind = random.pick(weighted: kinds.map { ($0.kind, $0.weight) })
      let at = plan.asOf.addingTimeInterval(-Double.random(in: 60..<(21 * 86_400), using: &random)).roundedToMilliseconds
      moments.append((kind, "bulk-\(kind)-\(customer.n)-\(moments.count)", at))
      expected += steps(of: kind, tier: tier).filter { at.addingTimeInterval(TimeInterval($0.offsetSeconds)) >= openFrom }.count
    }
    moments.sort { $0.at < $1.at }
    var rows = 0
    var opened = 0
    var index = 0
    func record(_ kind: String, _ occurrence: String, _ at: Date) throws {
      let outcome = try MomentPlanner.record(
        db, customerID: customer.id, kind: kind, occurrenceID: occurrence, occurredAt: at, facts: customer.facts,
        now: at.addingTimeInterval(1), momentID: random.orderedUUID(major: customer.n, minor: index))
      index += 1
      rows += 1 + outcome.tasks.count
      counts.moments += 1
      for task in outcome.tasks {
        if task.status != Crm_Interaction_V1_TaskStatus.open.rawValue {
          counts.suppressedTasks += 1
        } else if task.dueAt < openFrom {
          // Most on time, some late, all before the fill's now.
          let completed = task.dueAt.addingTimeInterval(Double.random(in: -43_200..<21_600, using: &random)).roundedToMilliseconds
          try db.cachedStatement(sql: "UPDATE care_task SET status = ?, completed_at = ? WHERE id = ?")
            .execute(arguments: [Crm_Interaction_V1_TaskStatus.done.rawValue, completed, task.id])
          counts.doneTasks += 1
        } else {
          opened += 1
          if task.dueAt < plan.asOf { counts.overdueTasks += 1 }
        }
      }
    }
    for moment in moments { try record(moment.kind, moment.occurrence, moment.at) }
    // The last customer tops the total up exactly: a first purchase a minute ago stays open.
    while isLast && opened < budget.remaining && kinds.contains(where: { $0.kind == "first_purchase" }) {
      try record("first_purchase", "bulk-first_purchase-\(customer.n)-\(index)", plan.asOf.addingTimeInterval(-60))
    }
    counts.openTasks += opened
    budget.remaining -= opened
    return rows
  }
}
