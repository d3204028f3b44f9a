import Foundation
import GRDB

/// A row of `refund`: one refund of (part of) an order, keyed by the caller's refund id.
struct RefundRecord: Codable, Hashable, FetchableRecord, PersistableRecord {
  static let databaseTableName = "refund"

  var id: String
  var orderID: String
  var amountMinor: Int64
  var recordedAt: Date
  /// The request's refund as sent (deterministic bytes), to tell a repeat from a conflict.
  var requestBody: Data

  enum CodingKeys: String, CodingKey {
    case id
    case orderID = "order_id"
    case amountMinor = "amount_minor"
    case recordedAt = "recorded_at"
    case requestBody = "request_body"
  }
}
