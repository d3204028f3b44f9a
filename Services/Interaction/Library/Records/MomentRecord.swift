import Foundation
import GRDB

/// A row of `moment`: one occurrence of a lifecycle moment of a customer.
struct MomentRecord: Codable, Hashable, FetchableRecord, PersistableRecord {
  static let databaseTableName = "moment"

  var id: String
  var customerID: String
  var kind: String
  var occurrenceID: String
  var occurredAt: Date
  /// The tier that picked the plan.
  var tier: String
  /// `Crm_Interaction_V1_TierSource` raw value.
  var tierSource: Int
  /// The tier of the plan used ("" = the plan for any tier).
  var planTier: String
  var recordedAt: Date

  enum CodingKeys: String, CodingKey {
    case id, kind, tier
    case customerID = "customer_id"
    case occurrenceID = "occurrence_id"
    case occurredAt = "occurred_at"
    case tierSource = "tier_source"
    case planTier = "plan_tier"
    case recordedAt = "recorded_at"
  }
}
