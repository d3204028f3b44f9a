import Contracts
import Foundation
import GRDB
import GRPCCore
import ServiceKit

extension InteractionService {
  public func getInteractionFigures(
    request: Crm_Interaction_V1_GetInteractionFiguresRequest,
    context: ServerContext
  ) async throws -> Crm_Interaction_V1_GetInteractionFiguresResponse {
    guard request.hasFromTime else { throw ServiceError.invalidArgument(field: "from_time", reason: "is required") }
    guard request.hasToTime else { throw ServiceError.invalidArgument(field: "to_time", reason: "is required") }
    let from = request.fromTime.date, to = request.toTime.date
    guard from < to else { throw ServiceError.invalidArgument(field: "to_time", reason: "must be after from_time") }
    let now = clock.now()
    return try await store.database.read { db in
      var response = Crm_Interaction_V1_GetInteractionFiguresResponse()
      response.overall = try Self.figures(db, group: nil, from: from, to: to, now: now).first ?? .init()
      response.byTier = try Self.figures(db, group: "tier", from: from, to: to, now: now)
      response.byChannel = try Self.figures(db, group: "channel", from: from, to: to, now: now)
      return response
    }
  }

  /// The figures of [from, to), overall (`group` nil) or per tier or channel.
  private static func figures(
    _ db: Database, group: String?, from: Date, to: Date, now: Date
  ) throws -> [Crm_Interaction_V1_InteractionFigures] {
    let key = group ?? "''"
    var figures: [String: Crm_Interaction_V1_InteractionFigures] = [:]
    func entry(_ row: Row) -> String { (row["k"] as DatabaseValue).description }
    func slot(_ row: Row) -> Crm_Interaction_V1_InteractionFigures {
      figures[entry(row)] ?? .with {
        if group == "tier" { $0.tier = row["k"] ?? "" }
        if group == "channel" { $0.channel = Crm_Interaction_V1_Channel(rawValue: row["k"] ?? 0) ?? .unspecified }
      }
    }
    // Touches, customers, mood (satisfied 1, neutral 0, unhappy -1) and score.
    for row in try Row.fetchAll(
      db,
      sql: """
        SELECT \(key) AS k, count(*) AS n, count(DISTINCT customer_id) AS customers,
               avg(CASE mood WHEN 1 THEN 1.0 WHEN 2 THEN 0.0 WHEN 3 THEN -1.0 END) AS mood,
               avg(CASE WHEN score > 0 THEN score END) AS score
        FROM interaction WHERE actual_at >= ? AND actual_at < ? GROUP BY k
        """, arguments: [from, to])
    {
      var figure = slot(row)
      figure.interactions = row["n"]
      figure.customers = row["customers"]
      figure.interactionsPerCustomer = figure.customers > 0 ? Double(figure.interactions) / Double(figure.customers) : 0
      figure.averageMood = row["mood"] ?? 0
      figure.averageScore = row["score"] ?? 0
      figures[entry(row)] = figure
    }
    // On time: tasks due in the period, done by their due time, over those done or overdue.
    for row in try Row.fetchAll(
      db,
      sql: """
        SELECT \(key) AS k,
               sum(status = 2 AND completed_at <= due_at) AS on_time,
               sum(status = 2 OR (status = 1 AND due_at < ?)) AS counted
        FROM care_task WHERE due_at >= ? AND due_at < ? GROUP BY k
        """, arguments: [now, from, to])
    {
      var figure = slot(row)
      let counted: Int64 = row["counted"] ?? 0
      let onTime: Int64 = row["on_time"] ?? 0
      figure.onTimeRate = counted > 0 ? Double(onTime) / Double(counted) : 0
      figures[entry(row)] = figure
    }
    for row in try Row.fetchAll(
      db,
      sql: """
        SELECT \(key) AS k, count(*) AS n FROM care_task
        WHERE planned_at >= ? AND planned_at < ? AND deferral_kind = 'cap' GROUP BY k
        """, arguments: [from, to])
    {
      var figure = slot(row)
      figure.capDeferrals = row["n"]
      figures[entry(row)] = figure
    }
    return figures.keys.sorted().map { figures[$0]! }
  }
}
