import Foundation
import GRDB

/// A row of `customer`: one profile, with its purchase figures kept current by the writes
/// that change them (so reading a profile never sums its purchases).
struct CustomerRecord: Codable, Hashable, FetchableRecord, PersistableRecord {
  static let databaseTableName = "customer"

  var id: String
  /// `Crm_Segmentation_V1_CustomerType` raw value.
  var type: Int
  var displayName: String
  var email: String
  var phone: String
  var sourceChannel: String
  var accountManager: String
  var timeZone: String
  var createdAt: Date
  var updatedAt: Date
  /// ISO 4217 code of the figures; empty until the first purchase fixes it.
  var currency: String = ""
  var totalSpendMinor: Int64 = 0
  var totalMarginMinor: Int64 = 0
  var purchaseCount: Int64 = 0
  var firstPurchaseAt: Date? = nil
  var lastPurchaseAt: Date? = nil
  /// JSON array of up to 3 categories, highest spend first.
  var preferredCategories: String = "[]"
  /// Set once the profile was merged into another; the id then stands for that one.
  var mergedInto: String? = nil
  var mergedAt: Date? = nil
  /// The latest purchase or reported activity; nil before the first.
  var lastActivityAt: Date? = nil
  /// `LifecycleStage` raw value; empty only for a profile not yet staged by the migration.
  var lifecycleStage: String = ""
  /// When the stage would next change with time alone; the scan's index. Nil when it cannot.
  var stageDeadlineAt: Date? = nil
  /// The loyalty programme's tier as loyalty last reported it.
  var loyaltyTier: String = ""
  /// The tier the rules give, the rule that gave it and why; empty when no rule matched.
  var tier: String = ""
  var tierRuleID: String = ""
  var tierReason: String = ""
  /// RFM scores 1-5 as of the last scan; 0 before.
  var rfmRecency: Int = 0
  var rfmFrequency: Int = 0
  var rfmMonetary: Int = 0
  /// Set once the customer was erased: the row stays only as anonymous aggregates.
  var erasedAt: Date? = nil

  enum CodingKeys: String, CodingKey {
    case id, type, email, phone, currency
    case displayName = "display_name"
    case sourceChannel = "source_channel"
    case accountManager = "account_manager"
    case timeZone = "time_zone"
    case createdAt = "created_at"
    case updatedAt = "updated_at"
    case totalSpendMinor = "total_spend_minor"
    case totalMarginMinor = "total_margin_minor"
    case purchaseCount = "purchase_count"
    case firstPurchaseAt = "first_purchase_at"
    case lastPurchaseAt = "last_purchase_at"
    case preferredCategories = "preferred_categories"
    case mergedInto = "merged_into"
    case mergedAt = "merged_at"
    case tier
    case lastActivityAt = "last_activity_at"
    case lifecycleStage = "lifecycle_stage"
    case stageDeadlineAt = "stage_deadline_at"
    case loyaltyTier = "loyalty_tier"
    case tierRuleID = "tier_rule_id"
    case tierReason = "tier_reason"
    case rfmRecency = "rfm_recency"
    case rfmFrequency = "rfm_frequency"
    case rfmMonetary = "rfm_monetary"
    case erasedAt = "erased_at"
  }

  enum Columns {
    static let id = Column(CodingKeys.id)
    static let accountManager = Column(CodingKeys.accountManager)
    static let mergedInto = Column(CodingKeys.mergedInto)
    static let stageDeadlineAt = Column(CodingKeys.stageDeadlineAt)
  }
}
