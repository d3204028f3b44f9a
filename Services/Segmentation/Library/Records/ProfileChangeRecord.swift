import Foundation
import GRDB

/// A row of `profile_change`: one recorded change of a profile's tier or lifecycle stage.
struct ProfileChangeRecord: Codable, FetchableRecord, MutablePersistableRecord {
  static let databaseTableName = "profile_change"

  var seq: Int64?
  var customerID: String
  /// `Crm_Segmentation_V1_ProfileChange.Kind` raw value.
  var kind: Int
  var changedAt: Date
  var fromValue: String
  var toValue: String
  var cause: String

  enum CodingKeys: String, CodingKey {
    case seq, kind, cause
    case customerID = "customer_id"
    case changedAt = "changed_at"
    case fromValue = "from_value"
    case toValue = "to_value"
  }

  enum Columns {
    static let seq = Column(CodingKeys.seq)
    static let customerID = Column(CodingKeys.customerID)
  }

  mutating func didInsert(_ inserted: InsertionSuccess) {
    seq = inserted.rowID
  }
}
