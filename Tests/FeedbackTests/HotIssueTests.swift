import Contracts
import Foundation
import GRDB
import GRPCCore
import SwiftProtobuf
import Testing

@Suite("Feedback: hot issues and operator-defined issues")
struct HotIssueTests {
  typealias H = FeedbackHarness

  func hot(
    _ harness: H, by grouping: Crm_Feedback_V1_HotIssueGrouping, window: TimeInterval = H.day,
    limit: Int32 = 0
  ) async throws -> Crm_Feedback_V1_ListHotIssuesResponse {
    try await harness.client.listHotIssues(
      .with {
        $0.windowSeconds = Int64(window); $0.groupBy = grouping; $0.limit = limit
      })
  }

  func createIssue(_ harness: H, _ id: String, title: String = "Courier outage") async throws {
    _ = try await harness.client.createIssue(
      .with {
        $0.issue.issueID = id; $0.issue.title = title; $0.issue.category = "delivery/late"
      })
  }

  @discardableResult
  func link(_ harness: H, _ ticket: Crm_Feedback_V1_Ticket, to issue: String) async throws
    -> Crm_Feedback_V1_Issue
  {
    try await harness.client.linkTicketToIssue(
      .with {
        $0.issueID = issue; $0.ticketID = ticket.ticketID; $0.actorID = "agent-1"
      }
    ).issue
  }

  @Test("categories ranked by count in the window, with the previous window's count and trend")
  func byCategory() async throws {
    try await H.run { harness in
      // Given: the previous day, then the current day
      _ = try await harness.createTicket(category: "delivery/late")
      _ = try await harness.createTicket(category: "billing")
      _ = try await harness.createTicket(category: "billing")
      harness.clock.advance(by: H.day)
      for category in ["delivery/late", "delivery/late", "delivery/late", "billing", "product/quality"] {
        _ = try await harness.createTicket(category: category)
        harness.clock.advance(by: H.minute)
      }
      // When
      let response = try await hot(harness, by: .category)
      // Then
      let rows = response.issues.map { ($0.key, $0.count, $0.previousCount, $0.trendDifference) }
      #expect(rows.map(\.0) == ["delivery/late", "billing", "product/quality"])
      #expect(rows.map(\.1) == [3, 1, 1])
      #expect(rows.map(\.2) == [1, 2, 0])
      #expect(rows.map(\.3) == [2, -1, 1])
      #expect(response.issues.map(\.trendRatio) == [3.0, 0.5, 0])
      #expect(response.issues.first?.title == "Late delivery")
      #expect(response.toTime.date == harness.clock.now())
      #expect(response.previousFromTime.date == harness.clock.now().addingTimeInterval(-2 * H.day))
      // The limit keeps the top groups; an explicit window counts the same way.
      #expect(try await hot(harness, by: .category, limit: 1).issues.map(\.key) == ["delivery/late"])
      let explicit = try await harness.client.listHotIssues(
        .with {
          $0.fromTime = .init(date: harness.clock.now().addingTimeInterval(-H.day))
          $0.toTime = .init(date: harness.clock.now())
          $0.groupBy = .category
        })
      #expect(explicit.issues == response.issues)
    }
  }

  @Test("issues ranked by their linked tickets; resolving tells each reporter exactly once")
  func issueLoop() async throws {
    try await H.run { harness in
      // Given
      try await createIssue(harness, "courier-outage")
      try await createIssue(harness, "app-crash", title: "App crashes at checkout")
      let old = try await harness.createTicket(customer: "c0")
      try await link(harness, old, to: "app-crash")
      harness.clock.advance(by: H.day)
      let first = try await harness.createTicket(customer: "c1")
      let second = try await harness.createTicket(customer: "c2")
      let unlinked = try await harness.createTicket(customer: "c3")
      try await link(harness, first, to: "courier-outage")
      let issue = try await link(harness, second, to: "courier-outage")
      try await link(harness, second, to: "courier-outage")  // again: nothing changes
      #expect(issue.ticketCount == 2)
      harness.clock.advance(by: H.minute)  // windows end now, exclusive

      let ranked = try await hot(harness, by: .issue)
      #expect(ranked.issues.map(\.key) == ["courier-outage"])
      #expect(ranked.issues.first?.title == "Courier outage")
      #expect(ranked.issues.first?.count == 2)
      let twoDays = try await hot(harness, by: .issue, window: 2 * H.day)
      #expect(twoDays.issues.map(\.key) == ["courier-outage", "app-crash"])

      // When
      let resolve = Crm_Feedback_V1_ResolveIssueRequest.with {
        $0.issueID = "courier-outage"; $0.resolution = "The courier is back; parcels ship today."
        $0.actorID = "ops-1"; $0.idempotencyKey.key = "resolve-1"
      }
      let resolved = try await harness.client.resolveIssue(resolve)
      // Then
      #expect(resolved.notifiedCount == 2)
      #expect(resolved.issue.resolution == resolve.resolution)
      #expect(resolved.issue.resolveTime.date == harness.clock.now())
      // Repeated with the key, or without it with the same body: no second notice.
      #expect(try await harness.client.resolveIssue(resolve) == resolved)
      var again = resolve
      again.idempotencyKey.key = ""
      harness.clock.advance(by: H.minute)
      #expect(try await harness.client.resolveIssue(again).notifiedCount == 0)
      for ticket in [first, second] {
        let notices = try await harness.history(ticket).filter { $0.type == .outcomeNotified }
        #expect(notices.count == 1)
        #expect(notices.first?.note == resolve.resolution)
        #expect(notices.first?.actorID == "ops-1")
        #expect(try await harness.history(ticket).contains { $0.type == .linkedToIssue && $0.note == "courier-outage" })
      }
      #expect(try await harness.history(unlinked).allSatisfy { $0.type != .outcomeNotified })
      #expect(try await harness.history(old).allSatisfy { $0.type != .outcomeNotified })

      // Another body is ALREADY_EXISTS; a resolved issue takes no more tickets.
      await expectFailure(.alreadyExists) {
        _ = try await harness.client.resolveIssue(
          .with {
            $0.issueID = "courier-outage"; $0.resolution = "something else"; $0.actorID = "ops-1"
          })
      }
      await expectFailure(.failedPrecondition) {
        try await link(harness, unlinked, to: "courier-outage")
      }
      #expect(try await harness.history(first).filter { $0.type == .outcomeNotified }.count == 1)
    }
  }

  @Test("bad input names the field; unknown issue or ticket is NOT_FOUND; a taken id ALREADY_EXISTS")
  func badInput() async throws {
    try await H.run { harness in
      await expectFailure(.invalidArgument, field: "group_by") {
        _ = try await harness.client.listHotIssues(.with { $0.windowSeconds = 60 })
      }
      await expectFailure(.invalidArgument, field: "window_seconds") {
        _ = try await harness.client.listHotIssues(
          .with {
            $0.windowSeconds = 60; $0.fromTime = .init(date: harness.clock.now()); $0.groupBy = .category
          })
      }
      await expectFailure(.invalidArgument, field: "from_time") {
        _ = try await harness.client.listHotIssues(.with { $0.groupBy = .category })
      }
      await expectFailure(.invalidArgument, field: "to_time") {
        _ = try await harness.client.listHotIssues(
          .with {
            $0.fromTime = .init(date: harness.clock.now()); $0.toTime = .init(date: harness.clock.now())
            $0.groupBy = .category
          })
      }
      await expectFailure(.invalidArgument, field: "limit") {
        _ = try await hot(harness, by: .category, limit: 101)
      }
      await expectFailure(.invalidArgument, field: "issue.category") {
        _ = try await harness.client.createIssue(
          .with { $0.issue.issueID = "x"; $0.issue.title = "X"; $0.issue.category = "nope" })
      }
      await expectFailure(.invalidArgument, field: "issue.issue_id") {
        _ = try await harness.client.createIssue(.with { $0.issue.issueID = "Bad Id"; $0.issue.title = "X" })
      }
      try await createIssue(harness, "outage")
      await expectFailure(.alreadyExists) { try await createIssue(harness, "outage") }
      let ticket = try await harness.createTicket()
      await expectFailure(.notFound) { try await link(harness, ticket, to: "missing") }
      await expectFailure(.notFound) {
        _ = try await harness.client.linkTicketToIssue(
          .with { $0.issueID = "outage"; $0.ticketID = "missing"; $0.actorID = "a" })
      }
      await expectFailure(.notFound) {
        _ = try await harness.client.resolveIssue(
          .with { $0.issueID = "missing"; $0.resolution = "r"; $0.actorID = "a" })
      }
      await expectFailure(.invalidArgument, field: "resolution") {
        _ = try await harness.client.resolveIssue(.with { $0.issueID = "outage"; $0.actorID = "a" })
      }
    }
  }

  @Test("the hot-issue counts read the window through the creation-time index")
  func queryPlan() async throws {
    try await H.run { harness in
      let plans = try await harness.database.read { db in
        (
          category: try QueryPlanTests.plan(
            """
            SELECT category AS key, COUNT(*) AS n FROM ticket
            WHERE created_at >= '2026-01-01' AND created_at < '2026-01-31'
            GROUP BY category ORDER BY n DESC, key LIMIT 10
            """, db),
          issue: try QueryPlanTests.plan(
            """
            SELECT l.issue_id AS key, COUNT(*) AS n
            FROM ticket t CROSS JOIN issue_ticket l ON l.ticket_id = t.id
            WHERE t.created_at >= '2026-01-01' AND t.created_at < '2026-01-31'
            GROUP BY l.issue_id ORDER BY n DESC, key LIMIT 10
            """, db)
        )
      }
      print("EXPLAIN QUERY PLAN hot issues:", plans)
      #expect(plans.category.contains("USING COVERING INDEX ticket_on_created_category (created_at>? AND created_at<?)"))
      #expect(plans.issue.contains("(created_at>? AND created_at<?)"))
      #expect(plans.issue.contains("issue_ticket_on_ticket (ticket_id=?)"))
      #expect(!plans.category.contains("SCAN ticket") && !plans.issue.contains("SCAN t"))
    }
  }
}
