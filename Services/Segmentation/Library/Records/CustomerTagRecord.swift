import GRDB

/// A row of `customer_tag`: one tag on one profile.
struct CustomerTagRecord: Codable, Hashable, FetchableRecord, PersistableRecord {
  static let databaseTableName = "customer_tag"

  var customerID: String
  var tag: String

  enum CodingKeys: String, CodingKey {
    case customerID = "customer_id"
    case tag
  }

  enum Columns {
    static let customerID = Column(CodingKeys.customerID)
    static let tag = Column(CodingKeys.tag)
  }
}
