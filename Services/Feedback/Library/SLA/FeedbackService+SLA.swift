import Contracts
import Foundation
import GRDB
import GRPCCore
import ServiceKit
import SwiftProtobuf

extension FeedbackService {
  /// Marks the running clocks past due at the service's current time as breached.
  public func runSlaScan(
    request: Crm_Feedback_V1_RunSlaScanRequest,
    context: ServerContext
  ) async throws -> Crm_Feedback_V1_RunSlaScanResponse {
    let now = clock.now()
    let (breached, escalations) = try await store.database.write { db in
      // Approaching first: a clock breached in this scan no longer runs.
      let approaching = try Escalation.applyApproaching(at: now, db)
      let breached = try SLAClock.breachOverdue(at: now, actor: TicketHistory.systemActor, db)
      let missed = try Escalation.applyBreached(breached, at: now, db)
      return (breached.count, approaching + missed)
    }
    if breached > 0 || escalations > 0 {
      logger.info(
        "SLA scan marked clocks breached",
        metadata: ["breached": "\(breached)", "escalations": "\(escalations)"])
    }
    return .with {
      $0.breachedCount = Int32(clamping: breached)
      $0.escalationCount = Int32(clamping: escalations)
      $0.scanTime = Google_Protobuf_Timestamp(storeDate: now)
    }
  }

  /// The breached clocks on an owner's tickets.
  public func listBreaches(
    request: Crm_Feedback_V1_ListBreachesRequest,
    context: ServerContext
  ) async throws -> Crm_Feedback_V1_ListBreachesResponse {
    if request.ownerID.isEmpty == request.teamID.isEmpty {
      throw ServiceError.invalidArgument(
        field: request.ownerID.isEmpty ? "owner_id" : "team_id",
        reason: "give exactly one of owner_id and team_id")
    }
    let byTeam = !request.teamID.isEmpty
    try FieldValidation.requireID(
      byTeam ? request.teamID : request.ownerID, field: byTeam ? "team_id" : "owner_id")
    let size = try paging.size(of: request.page)
    let listing = byTeam ? "breaches-team:\(request.teamID)" : "breaches:\(request.ownerID)"
    let after = try PageCursor.decode(request.page, listing: listing).map {
      token throws(ServiceError) in
      guard let clockID = Int64(token) else {
        throw ServiceError.invalidArgument(
          field: "page.page_token", reason: "is not a token this service issued")
      }
      return clockID
    }
    // CROSS JOIN fixes the order: the holder's tickets first (by index), then, for each, its
    // breached clocks through the partial index that holds nothing else (state 4 is breached,
    // written out because SQLite matches a partial index only on the literal condition). Left
    // to itself the planner may walk every breached clock of the store instead, or read each
    // ticket's every clock run.
    let sql = """
      SELECT c.id, c.ticket_id, c.kind, c.due_at, c.ended_at,
             t.owner_id, t.priority, t.category, t.status
      FROM ticket t CROSS JOIN sla_clock c INDEXED BY sla_clock_breached_on_ticket
        ON c.ticket_id = t.id
      WHERE t.\(byTeam ? "team_id" : "owner_id") = ? AND c.state = 4 AND c.id > ?
      ORDER BY c.id LIMIT ?
      """
    let holder = byTeam ? request.teamID : request.ownerID
    let afterID = after ?? 0
    let rows = try await store.database.read { db in
      try Row.fetchAll(
        db, sql: sql,
        arguments: [holder, afterID, size + 1])
    }
    let page = rows.prefix(size)
    return .with {
      $0.breaches = page.map { row in
        .with {
          $0.ticketID = row["ticket_id"]
          $0.clock = SLAClock.Kind(rawValue: row["kind"]) ?? .unspecified
          $0.dueTime = Google_Protobuf_Timestamp(storeDate: row["due_at"])
          if let ended: Date = row["ended_at"] {
            $0.breachTime = Google_Protobuf_Timestamp(storeDate: ended)
          }
          $0.ownerID = row["owner_id"]
          $0.priority = Crm_Feedback_V1_Priority(rawValue: row["priority"]) ?? .unspecified
          $0.category = row["category"]
          $0.status = Crm_Feedback_V1_TicketStatus(rawValue: row["status"]) ?? .unspecified
        }
      }
      $0.page.nextPageToken = PageCursor.token(
        listing: listing, after: page.last.map { String($0["id"] as Int64) },
        hasMore: rows.count > size)
    }
  }
}
