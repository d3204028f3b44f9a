import GRDB

/// A row of `customer_category_spend`: a profile's net spend in one category, kept current by
/// purchases, refunds and merges so preferred categories need no scan of purchases.
struct CategorySpendRecord: Codable, Hashable, FetchableRecord, PersistableRecord {
  static let databaseTableName = "customer_category_spend"

  var customerID: String
  var category: String
  var spendMinor: Int64

  enum CodingKeys: String, CodingKey {
    case category
    case customerID = "customer_id"
    case spendMinor = "spend_minor"
  }
}
