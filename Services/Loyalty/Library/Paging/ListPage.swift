import Contracts
import Foundation
import ServiceKit

/// A keyset page of a customer's listing (tier changes, coupons): the size the caller asked
/// for and where the previous page ended, checked against the listing and the customer.
struct ListPage {
  /// Without a page_size the listings return what they returned before paging existed.
  static let defaultSize = 200
  /// The largest page: bigger requests are clamped, as `PageRequest` promises.
  static let maxSize = 500

  /// Rows to return.
  let size: Int
  /// Where the previous page ended; nil for the first page.
  let after: Cursor?

  /// Where a page ended: the sort key of its last row, kept as the stored text so that the
  /// next page starts exactly there.
  struct Cursor: Codable {
    /// The listing the token came from (`tier_change`, `coupon`).
    var listing: String
    var customerID: String
    var time: String
    var tiebreak: String
  }

  /// Reads `page` for `listing` of `customerID`, naming `page.page_size` or `page.page_token`
  /// when they are wrong.
  init(_ page: Crm_Common_V1_PageRequest, listing: String, customerID: String)
    throws(ServiceError)
  {
    guard page.pageSize >= 0 else {
      throw .invalidArgument(field: "page.page_size", reason: "must not be negative")
    }
    size = page.pageSize == 0 ? Self.defaultSize : min(Int(page.pageSize), Self.maxSize)
    guard !page.pageToken.isEmpty else {
      after = nil
      return
    }
    guard let data = Data(base64Encoded: page.pageToken),
      let cursor = try? JSONDecoder().decode(Cursor.self, from: data),
      cursor.listing == listing
    else {
      throw .invalidArgument(
        field: "page.page_token", reason: "is not a token this listing returned")
    }
    guard cursor.customerID == customerID else {
      throw .invalidArgument(
        field: "page.page_token", reason: "belongs to another customer's listing")
    }
    after = cursor
  }

  /// The token of the page after one that ended at (`time`, `tiebreak`), or empty when the
  /// rows fetched (one more than the size) show this was the last page.
  static func nextToken(
    listing: String, customerID: String, fetched: Int, size: Int, time: String?,
    tiebreak: String?
  ) -> String {
    guard fetched > size, let time, let tiebreak else { return "" }
    let cursor = Cursor(listing: listing, customerID: customerID, time: time, tiebreak: tiebreak)
    return (try? JSONEncoder().encode(cursor).base64EncodedString()) ?? ""
  }
}
