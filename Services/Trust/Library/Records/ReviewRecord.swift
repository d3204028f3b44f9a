import Foundation
import GRDB

/// A row of `review`: one customer's review of one product.
struct ReviewRecord: Codable, Hashable, FetchableRecord, PersistableRecord {
  static let databaseTableName = "review"

  var id: String
  var customerID: String
  var productID: String
  var rating: Int
  var title: String
  var text: String
  var orderID: String
  /// `Crm_Trust_V1_ReviewStatus` raw value.
  var status: Int
  var createdAt: Date

  enum CodingKeys: String, CodingKey {
    case id, rating, title, text, status
    case customerID = "customer_id"
    case productID = "product_id"
    case orderID = "order_id"
    case createdAt = "created_at"
  }

  enum Columns {
    static let customerID = Column(CodingKeys.customerID)
    static let productID = Column(CodingKeys.productID)
  }
}
