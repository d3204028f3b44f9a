import Foundation
import GRDB

/// The prepared inserts of one fill transaction: a timeline's ticket, clock runs, history,
/// CSAT answer and issue links, with the columns the service's records write.
struct BulkRowWriter {
  let ticket: Statement
  let clock: Statement
  let event: Statement
  let csat: Statement
  let link: Statement

  init(_ db: Database) throws {
    ticket = try db.makeStatement(
      sql: """
        INSERT INTO ticket (id, customer_id, kind, priority, channel, category, text, status,
          created_at, first_response_due_at, owner_id, resolved_at, sla_policy_id, team_id)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """)
    clock = try db.makeStatement(
      sql: """
        INSERT INTO sla_clock (ticket_id, kind, state, started_at, due_at, paused_at, ended_at,
          escalate_at) VALUES (?, ?, ?, ?, ?, ?, ?, NULL)
        """)
    event = try db.makeStatement(
      sql: """
        INSERT INTO ticket_event (ticket_id, type, actor_id, occurred_at, from_status, to_status,
          clock_kind, owner_id, note, csat_score, priority, team_id)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?)
        """)
    csat = try db.makeStatement(
      sql: """
        INSERT INTO csat_answer (ticket_id, customer_id, agent_id, score, comment, submitted_at)
        VALUES (?, ?, ?, ?, ?, ?)
        """)
    link = try db.makeStatement(
      sql:
        "INSERT INTO issue_ticket (issue_id, ticket_id, linked_at, notified_at) VALUES (?, ?, ?, NULL)"
    )
  }

  func write(_ timeline: BulkTicketTimeline, into summary: inout FeedbackBulkFill.Summary) throws {
    let t = timeline.ticket
    let date = BulkTicketTimeline.date
    try ticket.execute(arguments: [
      t.id, t.customerID, t.kind, t.priority, t.channel, t.category, t.text, t.status,
      t.createdAt, t.firstResponseDueAt, t.ownerID, t.resolvedAt, t.slaPolicyID, t.teamID,
    ])
    for run in timeline.clocks {
      try clock.execute(arguments: [
        t.id, run.kind.rawValue, run.state.rawValue, date(run.startedAt), date(run.dueAt),
        run.pausedAt.map(date), run.endedAt.map(date),
      ])
      if run.isOpen { summary.openClocks += 1 }
    }
    for e in timeline.events {
      try event.execute(arguments: [
        t.id, e.type.rawValue, e.actorID, date(e.at), e.fromStatus.rawValue, e.toStatus.rawValue,
        e.clockKind.rawValue, e.ownerID, e.note, e.csatScore, e.teamID,
      ])
    }
    if let answer = timeline.csat {
      try csat.execute(arguments: [
        t.id, t.customerID, answer.agentID, answer.score, answer.comment, date(answer.at),
      ])
      summary.csatAnswers += 1
    }
    for (issueID, at) in timeline.links {
      try link.execute(arguments: [issueID, t.id, date(at)])
    }
    summary.tickets += 1
    summary.clocks += timeline.clocks.count
    summary.events += timeline.events.count
    summary.issueLinks += timeline.links.count
    summary.byStatus[t.status, default: 0] += 1
  }
}
