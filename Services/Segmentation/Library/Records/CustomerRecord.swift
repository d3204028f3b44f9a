import Foundation
import GRDB

/// A row of `customer`: one profile.
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

  enum CodingKeys: String, CodingKey {
    case id, type, email, phone
    case displayName = "display_name"
    case sourceChannel = "source_channel"
    case accountManager = "account_manager"
    case timeZone = "time_zone"
    case createdAt = "created_at"
    case updatedAt = "updated_at"
  }

  enum Columns {
    static let id = Column(CodingKeys.id)
    static let accountManager = Column(CodingKeys.accountManager)
  }
}
