import Foundation
import GRDB
import Testing

/// The reads that must stay index lookups at 1,000,000 tickets: the minute's breach scan (and
/// its escalation step), an owner's queue, a ticket's history, a breach list.
@Suite("Feedback: query plans of the hot reads")
struct QueryPlanTests {
  typealias H = FeedbackHarness

  static func plan(_ sql: String, _ db: Database) throws -> String {
    try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql).map { $0["detail"] as String }
      .joined(separator: " | ")
  }

  @Test("scan, escalation, owner queue, history and breach list use their indexes")
  func plans() async throws {
    try await H.run { harness in
      let plans = try await harness.database.read { db in
        [
          "scan": try Self.plan(
            "SELECT * FROM sla_clock WHERE state = 1 AND due_at < '2026-01-01'", db),
          "escalation": try Self.plan(
            "SELECT * FROM sla_clock WHERE state = 1 AND escalate_at <= '2026-01-01'", db),
          "queue": try Self.plan(
            "SELECT * FROM ticket WHERE owner_id = 'am-1' AND status < 7", db),
          "history": try Self.plan(
            "SELECT * FROM ticket_event WHERE ticket_id = 't' AND id > 0 ORDER BY id LIMIT 51", db),
          "breaches": try Self.plan(
            """
            SELECT c.id FROM ticket t CROSS JOIN sla_clock c ON c.ticket_id = t.id
            WHERE t.owner_id = 'am-1' AND +c.state = 4 AND c.id > 0 ORDER BY c.id LIMIT 51
            """, db),
        ]
      }
      print("EXPLAIN QUERY PLAN:", plans.sorted { $0.key < $1.key })
      #expect(plans["scan"]?.contains("USING INDEX sla_clock_on_state_due (state=? AND due_at<?)") == true)
      #expect(
        plans["escalation"]?.contains("USING INDEX sla_clock_on_state_escalate (state=? AND escalate_at<?)")
          == true)
      // Either owner index serves the queue (ticket_on_owner_and_id also orders by id).
      #expect(plans["queue"]?.contains("(owner_id=?)") == true)
      #expect(plans["history"]?.contains("ticket_event_on_ticket (ticket_id=? AND id>?)") == true)
      #expect(plans["breaches"]?.contains("(owner_id=?)") == true)
      #expect(plans["breaches"]?.contains("sla_clock_on_ticket (ticket_id=?)") == true)
      // The breach list's query is the service's own (ListBreaches), checked here.
      #expect(plans.values.allSatisfy { !$0.contains("SCAN ") })
    }
  }

  @Test("an owner's open queue and breach list read their partial indexes, not the owner's past")
  func openQueueAndBreachPlans() async throws {
    try await H.run { harness in
      let plans = try await harness.database.read { db in
        [
          // ListTickets by owner without include_closed.
          "queue": try Self.plan(
            """
            SELECT * FROM ticket INDEXED BY ticket_open_on_owner_and_id
            WHERE owner_id = 'am-1' AND id > '' AND status != 7 ORDER BY id LIMIT 51
            """, db),
          // ListBreaches by owner.
          "breaches": try Self.plan(
            """
            SELECT c.id, t.status FROM ticket t
              CROSS JOIN sla_clock c INDEXED BY sla_clock_breached_on_ticket ON c.ticket_id = t.id
            WHERE t.owner_id = 'am-1' AND c.state = 4 AND c.id > 0 ORDER BY c.id LIMIT 51
            """, db),
          // ListHotIssues by issue (HotIssueQuery.selection).
          "hot by issue": try Self.plan(
            HotIssueQuerySQL.byIssue.replacingOccurrences(of: "?", with: "'2026-01-01'"), db),
        ]
      }
      print("EXPLAIN QUERY PLAN:", plans.sorted { $0.key < $1.key })
      #expect(plans["queue"]?.contains("USING INDEX ticket_open_on_owner_and_id (owner_id=? AND id>?)") == true)
      #expect(plans["queue"]?.contains("TEMP B-TREE") == false)
      #expect(plans["breaches"]?.contains("(owner_id=?)") == true)
      #expect(
        plans["breaches"]?.contains("sla_clock_breached_on_ticket (ticket_id=? AND id>?)") == true)
      #expect(
        plans["hot by issue"]?.contains(
          "COVERING INDEX ticket_on_created_and_id (created_at>? AND created_at<?)") == true)
      #expect(plans["hot by issue"]?.contains("issue_ticket_on_ticket (ticket_id=?)") == true)
      #expect(plans.values.allSatisfy { !$0.contains("SCAN ") })
    }
  }
}

/// The statement ListHotIssues counts issues with (as `HotIssueQuery.selection(.issue)`).
enum HotIssueQuerySQL {
  static let byIssue = """
    SELECT l.issue_id AS key, COUNT(*) AS n
    FROM ticket t CROSS JOIN issue_ticket l ON l.ticket_id = t.id
    WHERE t.created_at >= ? AND t.created_at < ?
    GROUP BY l.issue_id
    """
}
