import Foundation
import GRDB

/// A row of `loyalty_account`: one customer's points account.
struct AccountRecord: Codable, Hashable, FetchableRecord, PersistableRecord {
  static let databaseTableName = "loyalty_account"

  var customerID: String
  /// Always the sum of the customer's ledger entries, and of the remaining points of the lots.
  var balance: Int64
  var lifetimePoints: Int64
  /// Points a refund took back after they were spent; kept outside the balance so that the
  /// balance never goes negative, and paid from the next earnings.
  var pointsDebt: Int64
  var createdAt: Date
  var updatedAt: Date

  enum CodingKeys: String, CodingKey {
    case balance
    case customerID = "customer_id"
    case lifetimePoints = "lifetime_points"
    case pointsDebt = "points_debt"
    case createdAt = "created_at"
    case updatedAt = "updated_at"
  }
}
