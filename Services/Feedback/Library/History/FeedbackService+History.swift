import Contracts
import Foundation
import GRDB
import GRPCCore
import ServiceKit

extension FeedbackService {
  /// A ticket's history, oldest first, paged by event sequence.
  public func getTicketHistory(
    request: Crm_Feedback_V1_GetTicketHistoryRequest,
    context: ServerContext
  ) async throws -> Crm_Feedback_V1_GetTicketHistoryResponse {
    try FieldValidation.requireID(request.ticketID, field: "ticket_id")
    let size = try paging.size(of: request.page)
    let listing = "history:\(request.ticketID)"
    let after = try PageCursor.decode(request.page, listing: listing).map {
      token throws(ServiceError) in
      guard let sequence = Int64(token) else {
        throw ServiceError.invalidArgument(
          field: "page.page_token", reason: "is not a token this service issued")
      }
      return sequence
    }

    let events = try await store.database.read { db in
      _ = try TicketRecord.existing(request.ticketID, db)
      return
        try TicketEventRecord
        .filter(
          TicketEventRecord.Columns.ticketID == request.ticketID
            && TicketEventRecord.Columns.id > (after ?? 0)
        )
        .order(TicketEventRecord.Columns.id)
        .limit(size + 1)
        .fetchAll(db)
    }
    let page = events.prefix(size)
    return .with {
      $0.events = page.map(\.message)
      $0.page.nextPageToken = PageCursor.token(
        listing: listing, after: page.last?.id.map(String.init), hasMore: events.count > size)
    }
  }
}
