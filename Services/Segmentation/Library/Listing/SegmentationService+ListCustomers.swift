import Contracts
import Foundation
import GRDB
import GRPCCore
import ServiceKit

extension SegmentationService {
  /// `ListCustomers`: one page of live profiles matching the filter, by id.
  public func listCustomers(
    request: Crm_Segmentation_V1_ListCustomersRequest,
    context: ServerContext
  ) async throws -> Crm_Segmentation_V1_ListCustomersResponse {
    let query = try CustomerListQuery(validating: request.filter)
    let pageSize = try CustomerListQuery.pageSize(request.page.pageSize)
    let fingerprint = ListPageToken.fingerprint(of: request.filter)
    let afterID = try Self.resumePoint(request.page.pageToken, fingerprint: fingerprint)
    let now = clock.now()
    return try await store.database.read { db in
      // One row more than the page tells whether another page follows.
      let (sql, arguments) = query.sql(afterID: afterID, limit: pageSize + 1)
      var records = try CustomerRecord.fetchAll(db, sql: sql, arguments: arguments)
      let hasMore = records.count > pageSize
      if hasMore { records.removeLast() }
      var response = Crm_Segmentation_V1_ListCustomersResponse()
      response.customers = try records.map { try CustomerProfile.message(db, record: $0, now: now) }
      if hasMore, let last = records.last {
        response.page.nextPageToken =
          ListPageToken(filterFingerprint: fingerprint, lastID: last.id).encoded
      }
      return response
    }
  }

  /// The last id of the previous page, or nil for the first page.
  private static func resumePoint(_ pageToken: String, fingerprint: UInt64) throws(ServiceError)
    -> String?
  {
    if pageToken.isEmpty { return nil }
    let token = try ListPageToken(decoding: pageToken, field: "page.page_token")
    guard token.filterFingerprint == fingerprint else {
      throw .invalidArgument(field: "page.page_token", reason: "was issued for another filter")
    }
    return token.lastID
  }
}
