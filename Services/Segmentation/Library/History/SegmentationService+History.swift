import Contracts
import Foundation
import GRDB
import GRPCCore
import ServiceKit

extension SegmentationService {
  /// `ListProfileHistory`: a profile's tier and stage changes, oldest first, paged by key.
  public func listProfileHistory(
    request: Crm_Segmentation_V1_ListProfileHistoryRequest,
    context: ServerContext
  ) async throws -> Crm_Segmentation_V1_ListProfileHistoryResponse {
    try FieldValidation.requireID(request.customerID, field: "customer_id")
    let pageSize = try CustomerListQuery.pageSize(request.page.pageSize)
    let afterSeq = try Self.historyCursor(request.page.pageToken)
    return try await store.database.read { db in
      let (customer, _) = try CustomerLookup.live(db, id: request.customerID)
      let rows = try ProfileChangeRecord
        .filter(ProfileChangeRecord.Columns.customerID == customer.id)
        .filter(ProfileChangeRecord.Columns.seq > afterSeq)
        .order(ProfileChangeRecord.Columns.seq)
        .limit(pageSize + 1)
        .fetchAll(db)
      let page = rows.prefix(pageSize)
      return .with {
        $0.changes = page.map(\.message)
        if rows.count > pageSize, let last = page.last?.seq {
          $0.page.nextPageToken =
            ListPageToken(filterFingerprint: Self.historyFingerprint, lastID: String(last)).encoded
        }
      }
    }
  }

  /// The last history seq of the previous page; 0 for the first page.
  private static func historyCursor(_ pageToken: String) throws(ServiceError) -> Int64 {
    guard !pageToken.isEmpty else { return 0 }
    let token = try ListPageToken(decoding: pageToken, field: "page.page_token")
    guard token.filterFingerprint == historyFingerprint, let seq = Int64(token.lastID) else {
      throw .invalidArgument(field: "page.page_token", reason: "was not issued by ListProfileHistory")
    }
    return seq
  }

  /// Marks history tokens so a ListCustomers token is refused here and the reverse.
  private static let historyFingerprint: UInt64 = 0x6869_7374_6f72_79
}
