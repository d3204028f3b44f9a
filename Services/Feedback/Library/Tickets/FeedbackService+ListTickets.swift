import Contracts
import GRDB
import GRPCCore
import ServiceKit

extension FeedbackService {
  /// `ListTickets`: a customer's tickets or an owner's queue, by ticket id, keyset-paged over
  /// the (customer_id, id) and (owner_id, id) indexes.
  public func listTickets(
    request: Crm_Feedback_V1_ListTicketsRequest,
    context: ServerContext
  ) async throws -> Crm_Feedback_V1_ListTicketsResponse {
    let byCustomer = !request.customerID.isEmpty
    guard byCustomer != !request.ownerID.isEmpty else {
      throw ServiceError.invalidArgument(field: "customer_id", reason: "set exactly one of customer_id and owner_id")
    }
    let (column, value, field) =
      byCustomer ? ("customer_id", request.customerID, "customer_id") : ("owner_id", request.ownerID, "owner_id")
    try FieldValidation.requireID(value, field: field)
    let size = try paging.size(of: request.page)
    let listing = "tickets:\(column)=\(value):\(request.includeClosed)"
    let after = try PageCursor.decode(request.page, listing: listing) ?? ""
    let closed = Crm_Feedback_V1_TicketStatus.closed.rawValue
    // An owner's open queue reads the partial index of open tickets: at a million tickets an
    // owner's thousands are nearly all closed, and walking them would cost the whole past.
    let table =
      !byCustomer && !request.includeClosed ? "ticket INDEXED BY ticket_open_on_owner_and_id" : "ticket"
    return try await store.database.read { db in
      let records = try TicketRecord.fetchAll(
        db,
        sql: """
          SELECT * FROM \(table) WHERE \(column) = ? AND id > ? \(request.includeClosed ? "" : "AND status != \(closed)")
          ORDER BY id LIMIT ?
          """,
        arguments: [value, after, size + 1])
      let page = records.prefix(size)
      return try .with {
        $0.tickets = try page.map { try $0.message(db) }
        $0.page.nextPageToken = PageCursor.token(listing: listing, after: page.last?.id, hasMore: records.count > size)
      }
    }
  }
}
