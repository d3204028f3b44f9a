import Foundation
import GRDB

/// A row of `purchase`: one order, keyed by the caller's order id.
struct PurchaseRecord: Codable, Hashable, FetchableRecord, PersistableRecord {
  static let databaseTableName = "purchase"

  var orderID: String
  /// The owner now (the survivor after a merge).
  var customerID: String
  var currency: String
  var amountMinor: Int64
  var marginMinor: Int64
  var refundedMinor: Int64
  var purchasedAt: Date
  var channel: String
  var recordedAt: Date
  /// The request's purchase as sent (deterministic bytes): a repeat with other bytes is
  /// another body for the same order.
  var requestBody: Data

  enum CodingKeys: String, CodingKey {
    case currency, channel
    case orderID = "order_id"
    case customerID = "customer_id"
    case amountMinor = "amount_minor"
    case marginMinor = "margin_minor"
    case refundedMinor = "refunded_minor"
    case purchasedAt = "purchased_at"
    case recordedAt = "recorded_at"
    case requestBody = "request_body"
  }

  enum Columns {
    static let orderID = Column(CodingKeys.orderID)
    static let customerID = Column(CodingKeys.customerID)
  }
}
