import Foundation
import GRDB

/// A row of `tier_change`: one move of a member between tiers, kept for the member's history
/// and the figures.
struct TierChangeRecord: Codable, Hashable, FetchableRecord, MutablePersistableRecord {
  static let databaseTableName = "tier_change"

  var id: Int64?
  var customerID: String
  var fromTier: String
  var toTier: String
  /// upgrade or downgrade.
  var reason: String
  var createdAt: Date

  enum CodingKeys: String, CodingKey {
    case id, reason
    case customerID = "customer_id"
    case fromTier = "from_tier"
    case toTier = "to_tier"
    case createdAt = "created_at"
  }

  mutating func didInsert(_ inserted: InsertionSuccess) {
    id = inserted.rowID
  }
}
