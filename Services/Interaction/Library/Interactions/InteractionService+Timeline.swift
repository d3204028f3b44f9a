import Contracts
import Foundation
import GRDB
import GRPCCore
import ServiceKit

extension InteractionService {
  public func listTimeline(
    request: Crm_Interaction_V1_ListTimelineRequest,
    context: ServerContext
  ) async throws -> Crm_Interaction_V1_ListTimelineResponse {
    try FieldValidation.requireID(request.customerID, field: "customer_id")
    try FieldValidation.limitText(request.threadID, field: "thread_id", maxLength: 128)
    let size = try pageLimits.size(of: request.page)
    let listing = "timeline:\(request.customerID):\(request.threadID)"
    let after = try PageCursor.decode(request.page, listing: listing)

    let (sql, arguments) = try Self.timelineQuery(
      customerID: request.customerID, threadID: request.threadID, after: after, size: size)
    let rows = try await store.database.read { [sql, arguments] db in
      try InteractionRecord.fetchAll(db, sql: sql, arguments: arguments)
    }
    let page = Array(rows.prefix(size))
    let last = page.last.map { "\(Int64(($0.actualAt.timeIntervalSince1970 * 1000).rounded()))|\($0.id)" }
    return .with {
      $0.interactions = page.map(\.message)
      $0.page.nextPageToken = PageCursor.token(listing: listing, after: last, hasMore: rows.count > size)
    }
  }

  /// The SQL of one timeline page: (customer_id, actual_at, id) or (thread_id, actual_at, id),
  /// newest first, is a range scan of an index however long the history.
  static func timelineQuery(
    customerID: String, threadID: String, after: String?, size: Int
  ) throws -> (String, StatementArguments) {
    var sql = "SELECT * FROM interaction WHERE customer_id = ?"
    var arguments: StatementArguments = [customerID]
    if !threadID.isEmpty {
      sql = "SELECT * FROM interaction WHERE thread_id = ? AND customer_id = ?"
      arguments = [threadID, customerID]
    }
    if let after {
      let parts = after.split(separator: "|", maxSplits: 1).map(String.init)
      guard parts.count == 2, let millis = Double(parts[0]) else {
        throw ServiceError.invalidArgument(field: "page.page_token", reason: "is not a token this service issued")
      }
      sql += " AND (actual_at, id) < (?, ?)"
      arguments += [Date(timeIntervalSince1970: millis / 1000), parts[1]]
    }
    sql += " ORDER BY actual_at DESC, id DESC LIMIT ?"
    arguments += [size + 1]
    return (sql, arguments)
  }
}
