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
}
