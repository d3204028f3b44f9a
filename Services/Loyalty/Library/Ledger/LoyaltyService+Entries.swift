import Contracts
import Foundation
import GRDB
import GRPCCore
import ServiceKit

extension LoyaltyService {
  /// Entries per page when the caller asks for no particular size.
  static let defaultEntriesPageSize = 50
  /// The largest page: bigger requests are clamped, as `PageRequest` promises.
  static let maxEntriesPageSize = 500

  /// Lists ledger entries newest first; see `ListLedgerEntries` in loyalty.proto.
  ///
  /// Pages are cut by position (time, then id), not by offset, so entries appended while a
  /// client pages never shift what it sees next.
  public func listLedgerEntries(
    request: Crm_Loyalty_V1_ListLedgerEntriesRequest,
    context: ServerContext
  ) async throws -> Crm_Loyalty_V1_ListLedgerEntriesResponse {
    try FieldValidation.requireID(request.customerID, field: "customer_id")
    guard request.page.pageSize >= 0 else {
      throw ServiceError.invalidArgument(field: "page.page_size", reason: "must not be negative")
    }
    let size =
      request.page.pageSize == 0
      ? Self.defaultEntriesPageSize : min(Int(request.page.pageSize), Self.maxEntriesPageSize)
    let after =
      try request.page.pageToken.isEmpty ? nil : EntriesCursor(token: request.page.pageToken)
    if let after, after.customerID != request.customerID {
      throw ServiceError.invalidArgument(
        field: "page.page_token", reason: "belongs to another customer's listing")
    }

    return try await store.database.read { db in
      _ = try PointsLedger.account(db, customerID: request.customerID)
      var sql = "SELECT * FROM ledger_entry WHERE customer_id = ?"
      var arguments: StatementArguments = [request.customerID]
      if let after {
        sql += " AND (created_at < ? OR (created_at = ? AND id < ?))"
        arguments += [after.createdAt, after.createdAt, after.entryID]
      }
      sql += " ORDER BY created_at DESC, id DESC LIMIT ?"
      arguments += [size + 1]
      let rows = try Row.fetchAll(db, sql: sql, arguments: arguments)
      let page = rows.prefix(size)
      var response = Crm_Loyalty_V1_ListLedgerEntriesResponse()
      response.entries = try page.map { try LedgerEntryRecord(row: $0).message }
      if rows.count > size, let last = page.last {
        // The stored text of the time, not a Date, so the next page starts exactly there.
        response.page.nextPageToken = try EntriesCursor(
          customerID: request.customerID, createdAt: last["created_at"], entryID: last["id"]
        ).token()
      }
      return response
    }
  }
}

/// Where a page of ledger entries ended, as an opaque token.
private struct EntriesCursor: Codable {
  var customerID: String
  var createdAt: String
  var entryID: String

  init(customerID: String, createdAt: String, entryID: String) {
    self.customerID = customerID
    self.createdAt = createdAt
    self.entryID = entryID
  }

  init(token: String) throws(ServiceError) {
    guard let data = Data(base64Encoded: token),
      let cursor = try? JSONDecoder().decode(Self.self, from: data)
    else {
      throw .invalidArgument(
        field: "page.page_token", reason: "is not a token this listing returned")
    }
    self = cursor
  }

  func token() throws -> String {
    try JSONEncoder().encode(self).base64EncodedString()
  }
}
