import Contracts
import Foundation
import GRDB
import GRPCCore
import ServiceKit
import SwiftProtobuf

extension FeedbackService {
  /// The playbook's feedback figures over a window, each computed by one aggregate query on
  /// indexed time columns.
  public func getFeedbackFigures(
    request: Crm_Feedback_V1_GetFeedbackFiguresRequest,
    context: ServerContext
  ) async throws -> Crm_Feedback_V1_GetFeedbackFiguresResponse {
    guard request.hasFromTime else {
      throw ServiceError.invalidArgument(field: "from_time", reason: "is required")
    }
    guard request.hasToTime else {
      throw ServiceError.invalidArgument(field: "to_time", reason: "is required")
    }
    let from = request.fromTime.date
    let to = request.toTime.date
    guard from < to else {
      throw ServiceError.invalidArgument(field: "to_time", reason: "must be after from_time")
    }
    return try await store.database.read { db in
      try FeedbackFigures(from: from, to: to).compute(db)
    }
  }
}

/// The queries behind GetFeedbackFigures, for one window [from, to).
struct FeedbackFigures {
  let from: Date
  let to: Date

  func compute(_ db: Database) throws -> Crm_Feedback_V1_GetFeedbackFiguresResponse {
    var response = Crm_Feedback_V1_GetFeedbackFiguresResponse()
    let window: StatementArguments = [from, to]
    // Raw values: clock MET 3, BREACHED 4; kind COMPLAINT 2; event REOPENED 3; status WAITING 4,
    // RESOLVED 5.
    for row in try Row.fetchAll(
      db,
      sql: """
        SELECT c.kind, t.priority, SUM(c.state = 3) AS met, SUM(c.state = 4) AS breached
        FROM sla_clock c JOIN ticket t ON t.id = c.ticket_id
        WHERE c.ended_at >= ? AND c.ended_at < ? AND c.state IN (3, 4)
        GROUP BY c.kind, t.priority ORDER BY c.kind, t.priority
        """, arguments: window)
    {
      let met: Int64 = row["met"]
      let breached: Int64 = row["breached"]
      response.sla.append(
        .with {
          $0.clock = Crm_Feedback_V1_SlaClockKind(rawValue: row["kind"]) ?? .unspecified
          $0.priority = Crm_Feedback_V1_Priority(rawValue: row["priority"]) ?? .unspecified
          $0.met = met
          $0.breached = breached
          $0.metPercent = percent(met, of: met + breached)
        })
    }

    let created = try Row.fetchOne(
      db,
      sql: """
        SELECT COUNT(*) AS total, COALESCE(SUM(kind = 2), 0) AS complaints
        FROM ticket WHERE created_at >= ? AND created_at < ?
        """, arguments: window)
    let total: Int64 = created?["total"] ?? 0
    let complaints: Int64 = created?["complaints"] ?? 0
    response.ticketsCreated = total
    response.complaintsCreated = complaints
    response.complaintRatePercent = percent(complaints, of: total)
    let repeats =
      try Int64.fetchOne(
        db,
        sql: """
          SELECT COUNT(*) FROM ticket t
          WHERE t.created_at >= ? AND t.created_at < ? AND EXISTS (
            SELECT 1 FROM ticket p
            WHERE p.customer_id = t.customer_id AND p.category = t.category
              AND p.created_at < t.created_at
              AND julianday(p.created_at) >= julianday(t.created_at) - 30)
          """, arguments: window) ?? 0
    response.repeatRatePercent = percent(repeats, of: total)

    let resolved = try Row.fetchOne(
      db,
      sql: """
        SELECT COUNT(*) AS total, COALESCE(SUM(NOT EXISTS (
          SELECT 1 FROM ticket_event e
          WHERE e.ticket_id = t.id AND (e.type = 3 OR e.to_status = 4))), 0) AS first_contact
        FROM ticket t WHERE t.resolved_at >= ? AND t.resolved_at < ?
        """, arguments: window)
    let resolvedCount: Int64 = resolved?["total"] ?? 0
    response.ticketsResolved = resolvedCount
    response.firstContactResolutionPercent = percent(
      resolved?["first_contact"] ?? 0, of: resolvedCount)

    let csat = try Row.fetchOne(
      db,
      sql: """
        SELECT COUNT(*) AS answers, COALESCE(AVG(score), 0) AS average FROM csat_answer
        WHERE submitted_at >= ? AND submitted_at < ?
        """, arguments: window)
    response.csatAnswers = csat?["answers"] ?? 0
    response.csatAverage = csat?["average"] ?? 0

    let nps = try Row.fetchOne(
      db,
      sql: """
        SELECT COUNT(*) AS answers, COALESCE(SUM(score >= 9), 0) AS promoters,
          COALESCE(SUM(score <= 6), 0) AS detractors
        FROM nps_answer WHERE submitted_at >= ? AND submitted_at < ?
        """, arguments: window)
    let answers: Int64 = nps?["answers"] ?? 0
    response.npsAnswers = answers
    response.nps =
      percent(nps?["promoters"] ?? 0, of: answers) - percent(nps?["detractors"] ?? 0, of: answers)

    let backlog = try Row.fetchOne(
      db,
      sql: """
        SELECT COUNT(*) AS open,
          COALESCE(AVG(julianday(?) - julianday(created_at)), 0) * 86400 AS mean_age,
          COALESCE(MAX(julianday(?) - julianday(created_at)), 0) * 86400 AS oldest_age
        FROM ticket WHERE status IN (1, 2, 3, 4) AND created_at < ?
        """, arguments: [to, to, to])
    response.backlogOpen = backlog?["open"] ?? 0
    response.backlogMeanAge = .init(seconds: Int64((backlog?["mean_age"] ?? 0.0).rounded()))
    response.backlogOldestAge = .init(seconds: Int64((backlog?["oldest_age"] ?? 0.0).rounded()))
    return response
  }

  private func percent(_ part: Int64, of whole: Int64) -> Double {
    whole == 0 ? 0 : Double(part) * 100 / Double(whole)
  }
}
