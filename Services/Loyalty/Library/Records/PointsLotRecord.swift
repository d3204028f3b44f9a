import Foundation
import GRDB

/// A row of `points_lot`: the points of one earn, which expire together.
///
/// The ledger says how the balance changed; the lots say which points are left and when they
/// expire. Every point of a lot is in exactly one of its counters:
/// `points == remaining + redeemed + expired + reversed`.
struct PointsLotRecord: Codable, Hashable, FetchableRecord, MutablePersistableRecord {
  static let databaseTableName = "points_lot"

  /// Assigned on insert; ascending in earn order, which breaks ties between equal expiries.
  var id: Int64?
  var customerID: String
  /// The `earn` entry that created the lot; nil for the balances carried over when lots began.
  var earnEntryID: String?
  /// The order the points were earned on; empty when none.
  var orderID: String
  var points: Int64
  var remaining: Int64
  var redeemed: Int64
  var expired: Int64
  /// Taken back by a refund of the order, or used to pay a debt.
  var reversed: Int64
  var earnedAt: Date
  var expiresAt: Date

  enum CodingKeys: String, CodingKey {
    case id, points, remaining, redeemed, expired, reversed
    case customerID = "customer_id"
    case earnEntryID = "earn_entry_id"
    case orderID = "order_id"
    case earnedAt = "earned_at"
    case expiresAt = "expires_at"
  }

  enum Columns {
    static let id = Column(CodingKeys.id)
    static let customerID = Column(CodingKeys.customerID)
    static let orderID = Column(CodingKeys.orderID)
    static let remaining = Column(CodingKeys.remaining)
    static let expiresAt = Column(CodingKeys.expiresAt)
  }

  mutating func didInsert(_ inserted: InsertionSuccess) {
    id = inserted.rowID
  }
}
