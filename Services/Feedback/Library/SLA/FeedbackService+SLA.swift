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
    let breached = try await store.database.write { db in
      try SLAClock.breachOverdue(at: now, actor: TicketHistory.systemActor, db)
    }
    if breached > 0 {
      logger.info("SLA scan marked clocks breached", metadata: ["breached": "\(breached)"])
    }
    return .with {
      $0.breachedCount = Int32(clamping: breached)
      $0.scanTime = Google_Protobuf_Timestamp(storeDate: now)
    }
  }

  /// The breached clocks on an owner's tickets.
  public func listBreaches(
    request: Crm_Feedback_V1_ListBreachesRequest,
    context: ServerContext
  ) async throws -> Crm_Feedback_V1_ListBreachesResponse {
    try FieldValidation.requireID(request.ownerID, field: "owner_id")
    let size = try paging.size(of: request.page)
    let listing = "breaches:\(request.ownerID)"
    let after = try PageCursor.decode(request.page, listing: listing).map {
      token throws(ServiceError) in
      guard let clockID = Int64(token) else {
        throw ServiceError.invalidArgument(
          field: "page.page_token", reason: "is not a token this service issued")
      }
      return clockID
    }
    let rows = try await store.database.read { db in
      try Row.fetchAll(
        db,
        sql: """
          SELECT c.id, c.ticket_id, c.kind, c.due_at, c.ended_at,
                 t.owner_id, t.priority, t.category, t.status
          FROM ticket t JOIN sla_clock c ON c.ticket_id = t.id
          WHERE t.owner_id = ? AND c.state = ? AND c.id > ?
          ORDER BY c.id LIMIT ?
          """,
        arguments: [request.ownerID, SLAClock.State.breached.rawValue, after ?? 0, size + 1])
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
