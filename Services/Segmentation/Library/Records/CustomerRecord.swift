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
  }

  enum Columns {
    static let id = Column(CodingKeys.id)
    static let accountManager = Column(CodingKeys.accountManager)
    static let mergedInto = Column(CodingKeys.mergedInto)
  }
}
