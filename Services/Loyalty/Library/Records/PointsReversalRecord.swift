import Foundation
import GRDB

/// A row of `points_reversal`: one refund's taking back of an order's points; its primary key
/// makes each refund count once, whatever idempotency key it comes with.
struct PointsReversalRecord: Codable, Hashable, FetchableRecord, PersistableRecord {
  static let databaseTableName = "points_reversal"

  var refundID: String
  var customerID: String
  var orderID: String
  /// Minor units of `currency`.
  var refundAmountMinor: Int64
  var orderAmountMinor: Int64
  var currency: String
  /// Taken from the balance.
  var pointsReversed: Int64
  /// Already spent, so added to the account's debt.
  var pointsDebt: Int64
  /// Already expired, so not taken again.
  var pointsExpired: Int64
  /// Still pending, so cancelled before they were ever available.
  var pointsPendingCancelled: Int64
  var createdAt: Date

  enum CodingKeys: String, CodingKey {
    case currency
    case refundID = "refund_id"
    case customerID = "customer_id"
    case orderID = "order_id"
    case refundAmountMinor = "refund_amount_minor"
    case orderAmountMinor = "order_amount_minor"
    case pointsReversed = "points_reversed"
    case pointsDebt = "points_debt"
    case pointsExpired = "points_expired"
    case pointsPendingCancelled = "points_pending_cancelled"
    case createdAt = "created_at"
  }

  enum Columns {
    static let customerID = Column(CodingKeys.customerID)
    static let orderID = Column(CodingKeys.orderID)
  }

  /// Every point the reversal accounted for, whichever way.
  var pointsAccounted: Int64 {
    pointsReversed + pointsDebt + pointsExpired + pointsPendingCancelled
  }
}
