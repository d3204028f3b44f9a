import Foundation
import GRDB

/// A row of `tier_rule`: one operator-owned rule, its condition kept as the protobuf bytes of
/// `crm.segmentation.v1.Condition` (validated before it is stored).
struct TierRuleRecord: Codable, FetchableRecord, PersistableRecord {
  static let databaseTableName = "tier_rule"

  var id: String
  var tier: String
  var priority: Int
  var condition: Data
  var description: String
  var createdAt: Date
  var updatedAt: Date

  enum CodingKeys: String, CodingKey {
    case id, tier, priority, condition, description
    case createdAt = "created_at"
    case updatedAt = "updated_at"
  }

  enum Columns {
    static let id = Column(CodingKeys.id)
    static let priority = Column(CodingKeys.priority)
  }
}
