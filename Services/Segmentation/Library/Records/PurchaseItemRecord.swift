import GRDB

/// A row of `purchase_item`: one line of an order.
struct PurchaseItemRecord: Codable, Hashable, FetchableRecord, PersistableRecord {
  static let databaseTableName = "purchase_item"

  var orderID: String
  /// The line's position in the request, so lines come back in the order sent.
  var line: Int
  var productID: String
  var category: String
  var quantity: Int
  var amountMinor: Int64

  enum CodingKeys: String, CodingKey {
    case line, category, quantity
    case orderID = "order_id"
    case productID = "product_id"
    case amountMinor = "amount_minor"
  }

  enum Columns {
    static let orderID = Column(CodingKeys.orderID)
    static let line = Column(CodingKeys.line)
  }
}
