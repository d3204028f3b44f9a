import Foundation
import GRDB

/// A row of `customer_copy`: the last profile facts seen from segmentation (or its events).
///
/// A fallback, not a source: RPCs ask segmentation first; event handlers and the date scan,
/// which cannot wait on another service inside a write, use this copy.
struct CustomerCopyRecord: Codable, Hashable, FetchableRecord, PersistableRecord {
  static let databaseTableName = "customer_copy"

  var customerID: String
  var displayName: String
  var tier: String
  var lifecycleStage: String
  var timeZone: String
  var accountManager: String
  /// JSON array of tags.
  var tags: String
  var updatedAt: Date

  enum CodingKeys: String, CodingKey {
    case tier, tags
    case customerID = "customer_id"
    case displayName = "display_name"
    case lifecycleStage = "lifecycle_stage"
    case timeZone = "time_zone"
    case accountManager = "account_manager"
    case updatedAt = "updated_at"
  }
}
