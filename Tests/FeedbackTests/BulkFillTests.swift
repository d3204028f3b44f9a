import Contracts
import Feedback
import Foundation
import GRDB
import GRPCCore
import ServiceKit
import Testing

/// A small bulk-filled store read through the service: its figures, rankings and queues agree
/// with the fill's plans, the scan takes over where the fill's simulated scans stopped, and a
/// sample of tickets replayed through the RPCs leaves the very same rows.
@Suite("Feedback: bulk fill")
struct BulkFillTests {
  typealias H = FeedbackHarness

  static func options(asOf: Date) -> FeedbackBulkFill.Options {
    var options = FeedbackBulkFill.Options()
    options.tickets = 1_500
    options.customers = 500
    options.agents = 8
    options.teams = 3
    options.issues = 6
    options.openShare = 0.05
    options.asOf = asOf
    options.seed = 7
    options.ticketsPerTransaction = 400
    return options
  }

  /// The filled store, the fill and every ticket's plan.
  static func filled(_ harness: H) async throws -> (
    FeedbackBulkFill, FeedbackBulkFill.Summary, [BulkTicketPlan]
  ) {
    let fill = FeedbackBulkFill(options: options(asOf: harness.clock.now()))
    let summary = try fill.fill(harness.database)
    let catalog = try await harness.database.read { try fill.catalog($0) }
    return (fill, summary, (0..<fill.options.tickets).map { fill.plan($0, catalog: catalog) })
  }

  static func finalStatus(_ plan: BulkTicketPlan) -> Crm_Feedback_V1_TicketStatus {
    plan.steps.reduce(.received) { status, step in
      if case .transition(let to, _) = step.action { return to }
      return status
    }
  }

  static func owner(_ plan: BulkTicketPlan) -> String {
    plan.steps.reduce("") { owner, step in
      if case .assign(let id, _, _) = step.action { return id }
      return owner
    }
  }

  @Test("figures, hot issues and owner queues agree with the plans")
  func aggregates() async throws {
    try await H.run { harness in
      // Given
      let (_, summary, plans) = try await Self.filled(harness)
      let asOf = harness.clock.now()
      // When
      let figures = try await harness.client.getFeedbackFigures(
        .with {
          $0.fromTime = .init(date: asOf.addingTimeInterval(-3 * 365 * H.day))
          $0.toTime = .init(date: asOf.addingTimeInterval(1))
        })
      // Then
      let open = plans.filter { (1...4).contains(Self.finalStatus($0).rawValue) }.count
      #expect(figures.ticketsCreated == 1_500)
      #expect(summary.tickets == 1_500)
      #expect(figures.backlogOpen == open)
      #expect(open > 40, "a backlog of open tickets")
      #expect(figures.csatAnswers == summary.csatAnswers)
      #expect(
        summary.csatAnswers
          == plans.filter {
            $0.steps.contains { if case .csat = $0.action { true } else { false } }
          }.count)
      #expect(
        figures.sla.reduce(0) { $0 + $1.met + $1.breached } == summary.clocks - summary.openClocks)
      #expect(figures.sla.contains { $0.breached > 0 } && figures.sla.contains { $0.met > 0 })

      // Hot issues over 30 days, recounted from the plans.
      let windowStart = Int64(asOf.timeIntervalSince1970) - 30 * 86400
      var byCategory: [String: Int64] = [:]
      var byIssue: [String: Int64] = [:]
      for plan in plans where plan.steps[0].at >= windowStart {
        guard case .create(_, _, _, _, let category, _) = plan.steps[0].action else { continue }
        byCategory[category, default: 0] += 1
        for step in plan.steps {
          if case .linkIssue(let issue, _) = step.action { byIssue[issue, default: 0] += 1 }
        }
      }
      for (grouping, expected) in [
        (Crm_Feedback_V1_HotIssueGrouping.category, byCategory), (.issue, byIssue),
      ] {
        let hot = try await harness.client.listHotIssues(
          .with {
            $0.windowSeconds = 30 * 86400; $0.groupBy = grouping; $0.limit = 100
          })
        let ranked = expected.sorted { ($1.value, $0.key) < ($0.value, $1.key) }
        #expect(hot.issues.map(\.key) == ranked.map(\.key), "\(grouping)")
        #expect(hot.issues.map(\.count) == ranked.map(\.value), "\(grouping)")
      }
      #expect(!byIssue.isEmpty, "tickets linked to issues in the window")

      // An owner's queue: the open (not closed) tickets last assigned to them, by id.
      let agent = FeedbackBulkFill.agentID(3)
      var listed: [String] = []
      var token = ""
      repeat {
        let page = try await harness.client.listTickets(
          .with {
            $0.ownerID = agent; $0.page.pageSize = 100; $0.page.pageToken = token
          })
        listed += page.tickets.map(\.ticketID)
        token = page.page.nextPageToken
      } while !token.isEmpty
      let expected = plans.filter { Self.owner($0) == agent && Self.finalStatus($0) != .closed }
        .map(\.ticketID).sorted()
      #expect(listed == expected)
      #expect(!expected.isEmpty)
    }
  }

  @Test("the scan takes over at the fill's now; the service goes on with filled tickets")
  func scanAndLifecycle() async throws {
    try await H.run { harness in
      // Given
      let (_, _, plans) = try await Self.filled(harness)
      let asOf = harness.clock.now()
      let overdue = try await harness.database.read { db in
        try Int.fetchOne(
          db, sql: "SELECT COUNT(*) FROM sla_clock WHERE state = 1 AND due_at < ?",
          arguments: [asOf])!
      }
      let stale = try await harness.database.read { db in
        try Int.fetchOne(
          db, sql: "SELECT COUNT(*) FROM sla_clock WHERE state = 1 AND due_at < ?",
          arguments: [asOf.addingTimeInterval(-60)])!
      }
      // When
      let first = try await harness.client.runSlaScan(.init())
      let second = try await harness.client.runSlaScan(.init())
      // Then: only what fell due since the fill's last minute scan, then nothing.
      #expect(stale == 0)
      #expect(first.breachedCount == overdue)
      #expect(second.breachedCount == 0)
      harness.clock.advance(by: 3 * H.day)
      let running = try await harness.database.read { db in
        try Int.fetchOne(
          db, sql: "SELECT COUNT(*) FROM sla_clock WHERE state = 1 AND due_at < ?",
          arguments: [harness.clock.now()])!
      }
      #expect(try await harness.client.runSlaScan(.init()).breachedCount == running)
      #expect(running > 0)

      // A filled ticket in progress resolves; one with a CSAT answer refuses a second.
      let inProgress = try #require(plans.first { Self.finalStatus($0) == .inProgress })
      let resolved = try await harness.client.transitionTicket(
        .with {
          $0.ticketID = inProgress.ticketID; $0.targetStatus = .resolved; $0.actorID = "agent-0001"
        })
      #expect(resolved.ticket.clocks.allSatisfy { $0.state == .met || $0.state == .breached })
      let answered = try #require(
        plans.first { $0.steps.contains { if case .csat = $0.action { true } else { false } } })
      await expectFailure(.alreadyExists) {
        _ = try await harness.client.submitCsat(
          .with {
            $0.ticketID = answered.ticketID; $0.score = 4
          })
      }
      let history = try await harness.client.getTicketHistory(
        .with { $0.ticketID = answered.ticketID })
      #expect(history.events.first?.type == .created)
    }
  }
}
