import Foundation
import GRDB

/// A row of `reward`: one item of the rewards catalog and its stock.
struct RewardRecord: Codable, Hashable, FetchableRecord, PersistableRecord {
  static let databaseTableName = "reward"

  var rewardID: String
  var name: String
  var pointsPrice: Int64
  /// Units left; the store refuses a negative stock.
  var stock: Int64
  /// Units one customer may redeem in all; 0 is no limit.
  var perCustomerLimit: Int
  var active: Bool
  var updatedAt: Date

  enum CodingKeys: String, CodingKey {
    case name, stock, active
    case rewardID = "reward_id"
    case pointsPrice = "points_price"
    case perCustomerLimit = "per_customer_limit"
    case updatedAt = "updated_at"
  }
}
