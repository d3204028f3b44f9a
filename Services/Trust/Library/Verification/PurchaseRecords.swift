import Contracts
import Foundation
import ServiceKit

/// Where trust learns what a customer bought: segmentation over gRPC in production
/// (``SegmentationDirectory``), a fake in tests that need no segmentation process.
public protocol PurchaseRecords: Sendable {
  /// Whether the customer bought the product (live: never answered from a cache).
  /// UNAVAILABLE when the source does not answer.
  func checkPurchase(customerID: String, productID: String) async throws
    -> Crm_Segmentation_V1_CheckPurchaseResponse
  /// One order, for its buyer and date. NOT_FOUND for an unknown order.
  func purchase(orderID: String) async throws -> Crm_Segmentation_V1_Purchase
  /// Whether the customer is an enterprise (for guarantees offered to businesses only).
  func isBusinessCustomer(_ customerID: String) async throws -> Bool
}

extension SegmentationDirectory: PurchaseRecords {
  /// The profile's type; a customer's type does not change, so the fallback copy is fine.
  public func isBusinessCustomer(_ customerID: String) async throws -> Bool {
    try await customer(customerID).customer.type == .enterprise
  }
}
