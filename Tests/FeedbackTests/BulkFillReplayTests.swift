import Contracts
import Feedback
import Foundation
import GRDB
import GRPCCore
import ServiceKit
import Testing

/// The bulk fill writes what the service writes: a sample of filled tickets (every final status,
/// waits on the customer, breaches by the scan, CSAT, issue links) is replayed call by call
/// through the RPCs on a second store, with the scan run when the fill's history says it
/// breached a clock, and both stores must hold the same ticket, clock runs, history, CSAT
/// answer and issue link.
@Suite("Feedback: bulk fill replayed through the RPCs")
struct BulkFillReplayTests {
  typealias H = FeedbackHarness

  /// A ticket's rows, without the ids the service draws itself.
  struct Rows: Equatable {
    var ticket: [String]
    var clocks: [[String]]
    var events: [[String]]
    var csat: [[String]]
    var links: [[String]]
  }

  static func rows(_ ticketID: String, _ db: Database) throws -> Rows {
    func strings(_ sql: String) throws -> [[String]] {
      try Row.fetchAll(db, sql: sql, arguments: [ticketID]).map { row in
        row.databaseValues.map { $0.isNull ? "NULL" : "\($0)" }
      }
    }
    return Rows(
      ticket: try strings(
        """
        SELECT customer_id, kind, priority, channel, category, text, status, created_at,
          first_response_due_at, owner_id, resolved_at, sla_policy_id, team_id
        FROM ticket WHERE id = ?
        """
      ).first ?? [],
      clocks: try strings(
        """
        SELECT kind, state, started_at, due_at, paused_at, ended_at, escalate_at
        FROM sla_clock WHERE ticket_id = ? ORDER BY id
        """),
      events: try strings(
        """
        SELECT type, actor_id, occurred_at, from_status, to_status, clock_kind, owner_id, note,
          csat_score, priority, team_id
        FROM ticket_event WHERE ticket_id = ? ORDER BY id
        """),
      csat: try strings(
        "SELECT customer_id, agent_id, score, comment, submitted_at FROM csat_answer WHERE ticket_id = ?"
      ),
      links: try strings(
        "SELECT issue_id, linked_at, notified_at FROM issue_ticket WHERE ticket_id = ?"))
  }

  /// The tickets to replay: the first two of every (final status, kind, waited) combination,
  /// and of those whose history has a breach by the scan.
  static func sample(_ plans: [BulkTicketPlan], _ db: Database) throws -> [BulkTicketPlan] {
    var seen: [String: Int] = [:]
    var chosen: [BulkTicketPlan] = []
    for plan in plans {
      guard case .create(_, let kind, _, _, _, _) = plan.steps[0].action else { continue }
      let waited = plan.steps.contains {
        $0.action == .transition(to: .waitingOnCustomer, actorID: BulkFillTests.owner(plan))
      }
      let key = "\(BulkFillTests.finalStatus(plan))-\(kind)-\(waited)"
      if seen[key, default: 0] < 2 {
        seen[key, default: 0] += 1
        chosen.append(plan)
      }
    }
    let scanned = try String.fetchAll(
      db,
      sql:
        "SELECT DISTINCT ticket_id FROM ticket_event WHERE actor_id = 'system' AND type = 9 LIMIT 12"
    )
    chosen += plans.filter { scanned.contains($0.ticketID) }
    return chosen
  }

  @Test("sampled tickets replayed through the RPCs leave the same rows")
  func replay() async throws {
    try await H.run { filled in
      let (fill, _, plans) = try await BulkFillTests.filled(filled)
      let catalog = try await filled.database.read { try fill.catalog($0) }
      let sample = try await filled.database.read { try Self.sample(plans, $0) }
      #expect(sample.count > 20)
      try await H.run { replayed in
        var issues: Set<String> = []
        for plan in sample {
          // The scans the fill's history records for this ticket, before the call at that time.
          let scans = try await filled.database.read { db in
            try Date.fetchAll(
              db,
              sql:
                "SELECT DISTINCT occurred_at FROM ticket_event WHERE ticket_id = ? AND actor_id = 'system' AND type = 9",
              arguments: [plan.ticketID])
          }
          var moments: [(at: Date, step: BulkTicketPlan.Step?)] = scans.map { ($0, nil) }
          moments += plan.steps.map { ($0.date, $0) }
          moments.sort { $0.at < $1.at || ($0.at == $1.at && $0.step == nil && $1.step != nil) }
          var ticketID = ""
          for moment in moments {
            replayed.clock.set(moment.at)
            guard let step = moment.step else {
              _ = try await replayed.client.runSlaScan(.init())
              continue
            }
            let id = ticketID
            switch step.action {
            case .create(let customer, let kind, let priority, let channel, let category, let text):
              ticketID = try await replayed.createTicket(
                kind: kind, priority: priority, channel: channel, category: category,
                customer: customer, text: text
              ).ticketID
            case .assign(let owner, let team, let actor):
              _ = try await replayed.client.assignTicket(
                .with {
                  $0.ticketID = id; $0.ownerID = owner; $0.teamID = team; $0.actorID = actor
                })
            case .transition(let to, let actor):
              _ = try await replayed.client.transitionTicket(
                .with {
                  $0.ticketID = id; $0.targetStatus = to; $0.actorID = actor
                })
            case .progress(let actor, let note):
              _ = try await replayed.client.postProgressUpdate(
                .with {
                  $0.ticketID = id; $0.actorID = actor; $0.note = note
                })
            case .csat(let score, let comment):
              _ = try await replayed.client.submitCsat(
                .with {
                  $0.ticketID = id; $0.score = Int32(score); $0.comment = comment
                })
            case .linkIssue(let issueID, let actor):
              if issues.insert(issueID).inserted {
                let issue = try #require(catalog.issues.first { $0.id == issueID })
                _ = try await replayed.client.createIssue(
                  .with {
                    $0.issue.issueID = issue.id; $0.issue.title = issue.title;
                    $0.issue.category = issue.category
                  })
              }
              _ = try await replayed.client.linkTicketToIssue(
                .with {
                  $0.issueID = issueID; $0.ticketID = id; $0.actorID = actor
                })
            }
          }
          let replayedID = ticketID
          let expected = try await replayed.database.read { try Self.rows(replayedID, $0) }
          let actual = try await filled.database.read { try Self.rows(plan.ticketID, $0) }
          #expect(actual == expected, "ticket \(plan.ticketID)")
          #expect(!actual.events.isEmpty)
        }
      }
    }
  }
}
