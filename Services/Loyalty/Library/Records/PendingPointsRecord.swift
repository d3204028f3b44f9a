import Foundation
import GRDB

/// A row of `pending_points`: points a purchase earned that become available later (the
/// rules' pending period); outside the balance until released.
struct PendingPointsRecord: Codable, Hashable, FetchableRecord, MutablePersistableRecord {
  static let databaseTableName = "pending_points"

  /// Assigned on insert.
  var id: Int64?
  var customerID: String
  var orderID: String
  var points: Int64
  /// Taken back by a refund before they became available.
  var cancelled: Int64
  var reason: String
  var earnedAt: Date
  var availableAt: Date
  /// pending, released (credited as an earn) or cancelled (refunded in full).
  var state: String

  enum CodingKeys: String, CodingKey {
    case id, points, cancelled, reason, state
    case customerID = "customer_id"
    case orderID = "order_id"
    case earnedAt = "earned_at"
    case availableAt = "available_at"
  }

  enum Columns {
    static let id = Column(CodingKeys.id)
    static let customerID = Column(CodingKeys.customerID)
    static let orderID = Column(CodingKeys.orderID)
    static let availableAt = Column(CodingKeys.availableAt)
    static let state = Column(CodingKeys.state)
  }

  /// Points still waiting to be credited.
  var open: Int64 { state == "pending" ? points - cancelled : 0 }

  mutating func didInsert(_ inserted: InsertionSuccess) {
    id = inserted.rowID
  }
}
