import Contracts
import Foundation
import GRDB
import GRPCCore
import ServiceKit

extension LoyaltyService {
  /// Replaces a product's operator-defined associations; see `SetProductAssociations`.
  public func setProductAssociations(
    request: Crm_Loyalty_V1_SetProductAssociationsRequest,
    context: ServerContext
  ) async throws -> Crm_Loyalty_V1_SetProductAssociationsResponse {
    try FieldValidation.requireID(request.productID, field: "product_id")
    guard request.relatedProductIds.count <= 50 else {
      throw ServiceError.invalidArgument(field: "related_product_ids", reason: "at most 50")
    }
    for related in request.relatedProductIds {
      try FieldValidation.requireID(related, field: "related_product_ids")
      if related == request.productID {
        throw ServiceError.invalidArgument(
          field: "related_product_ids", reason: "must not hold the product itself")
      }
    }
    try await store.database.write { db in
      try db.execute(
        sql: "DELETE FROM product_association WHERE product_id = ?", arguments: [request.productID])
      for (rank, related) in request.relatedProductIds.enumerated() {
        try db.execute(
          sql: """
            INSERT OR IGNORE INTO product_association (product_id, related_product_id, rank)
            VALUES (?, ?, ?)
            """, arguments: [request.productID, related, rank])
      }
    }
    return .init()
  }

  /// Related products for a product or a customer; see `ListRelatedProducts`.
  public func listRelatedProducts(
    request: Crm_Loyalty_V1_ListRelatedProductsRequest,
    context: ServerContext
  ) async throws -> Crm_Loyalty_V1_ListRelatedProductsResponse {
    guard request.productID.isEmpty != request.customerID.isEmpty else {
      throw ServiceError.invalidArgument(
        field: "product_id", reason: "give exactly one of product_id and customer_id")
    }
    try FieldValidation.require(request.maxResults, in: 0...50, field: "max_results")
    let limit = request.maxResults == 0 ? 10 : Int(request.maxResults)
    return try await store.database.read { db in
      let seeds: [String]
      if !request.productID.isEmpty {
        seeds = [request.productID]
      } else {
        seeds = try String.fetchAll(
          db, sql: "SELECT DISTINCT product_id FROM order_item WHERE customer_id = ?",
          arguments: [request.customerID])
      }
      var seen = Set(seeds)
      var products: [Crm_Loyalty_V1_RelatedProduct] = []
      let marks = databaseQuestionMarks(count: seeds.count)
      guard !seeds.isEmpty else { return .init() }
      let associated = try String.fetchAll(
        db,
        sql: """
          SELECT related_product_id FROM product_association WHERE product_id IN (\(marks))
          ORDER BY rank, related_product_id
          """, arguments: StatementArguments(seeds))
      for product in associated where products.count < limit && seen.insert(product).inserted {
        products.append(.with {
          $0.productID = product
          $0.source = "association"
        })
      }
      let coPurchased = try Row.fetchAll(
        db,
        sql: """
          SELECT other.product_id AS product, COUNT(DISTINCT other.order_id) AS orders
          FROM order_item seed JOIN order_item other
            ON other.order_id = seed.order_id AND other.product_id != seed.product_id
          WHERE seed.product_id IN (\(marks))
          GROUP BY other.product_id ORDER BY orders DESC, product LIMIT ?
          """, arguments: StatementArguments(seeds) + [limit + seeds.count])
      for row in coPurchased where products.count < limit {
        let product: String = row["product"]
        guard seen.insert(product).inserted else { continue }
        products.append(.with {
          $0.productID = product
          $0.source = "co_purchase"
          $0.coPurchases = row["orders"]
        })
      }
      return .with { $0.products = products }
    }
  }

  /// Keeps the products of an order loyalty has seen, for co-purchases.
  func recordOrderItems(
    _ db: Database, customerID: String, purchase: Crm_Events_V1_PurchaseRecorded
  ) throws {
    for item in purchase.items where !item.productID.isEmpty {
      try db.execute(
        sql: """
          INSERT OR IGNORE INTO order_item (order_id, product_id, customer_id) VALUES (?, ?, ?)
          """, arguments: [purchase.orderID, item.productID, customerID])
    }
  }
}
