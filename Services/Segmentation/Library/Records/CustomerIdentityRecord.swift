import Foundation
import GRDB

/// A row of `customer_identity`: one channel identity and the one profile it belongs to.
struct CustomerIdentityRecord: Codable, Hashable, FetchableRecord, PersistableRecord {
  static let databaseTableName = "customer_identity"

  /// `Crm_Segmentation_V1_IdentityChannel` raw value.
  var channel: Int
  /// Normalized (lower-cased for email) so that one identity has one spelling.
  var externalID: String
  var customerID: String
  var linkedAt: Date

  enum CodingKeys: String, CodingKey {
    case channel
    case externalID = "external_id"
    case customerID = "customer_id"
    case linkedAt = "linked_at"
  }

  enum Columns {
    static let channel = Column(CodingKeys.channel)
    static let externalID = Column(CodingKeys.externalID)
    static let customerID = Column(CodingKeys.customerID)
  }
}
