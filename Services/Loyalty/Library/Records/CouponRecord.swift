import Foundation
import GRDB

/// A row of `coupon`: one single-use coupon with its validity.
struct CouponRecord: Codable, Hashable, FetchableRecord, PersistableRecord {
  static let databaseTableName = "coupon"

  var code: String
  var customerID: String
  /// comeback or exclusive.
  var kind: String
  var discountPercent: Int
  var validFrom: Date
  var validUntil: Date
  var redeemedAt: Date?

  enum CodingKeys: String, CodingKey {
    case code, kind
    case customerID = "customer_id"
    case discountPercent = "discount_percent"
    case validFrom = "valid_from"
    case validUntil = "valid_until"
    case redeemedAt = "redeemed_at"
  }
}
