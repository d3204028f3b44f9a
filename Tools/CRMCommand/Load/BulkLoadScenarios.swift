import Contracts
import Foundation
import GRPCCore
import ServiceKit
import SwiftProtobuf

/// Scenarios over stores filled by `crm-bench <service> fill` (issue 11's targets: reads and
/// durable writes against 1,000,000 customers). They need no setup: the ids follow the bulk
/// pattern (customer n is `bulk-0000000`, product n is `p-00000`) and each request picks one
/// spread over the whole store, so the reads do not stay in a small cached working set.
enum BulkLoadScenarios {
  /// The scenarios for a store of `customers` customers and `products` products.
  static func scenarios(runID: String, customers: Int, products: Int) -> [LoadScenario] {
    let customer: @Sendable (Int) -> String = { sequence in BulkIDs.customer(spread(sequence, over: customers)) }
    let product: @Sendable (Int) -> String = { sequence in BulkIDs.product(spread(sequence, over: products)) }
    return [
      LoadScenario(
        name: "segmentation-read", summary: "get-customer over the bulk store (reads)", setup: { _ in },
        operations: [
          LoadOperation(name: "get", weight: 1) { client, sequence, options in
            _ = try await Crm_Segmentation_V1_SegmentationService.Client(wrapping: client)
              .getCustomer(.with { $0.customerID = customer(sequence) }, options: options)
          }
        ]),
      LoadScenario(
        name: "segmentation-write", summary: "record-purchase for bulk customers (durable writes)", setup: { _ in },
        operations: [
          LoadOperation(name: "record-purchase", weight: 1) { client, sequence, options in
            _ = try await Crm_Segmentation_V1_SegmentationService.Client(wrapping: client).recordPurchase(.with {
              $0.purchase = .with {
                $0.orderID = "load-\(runID)-o-\(sequence)"
                $0.customerID = customer(sequence)
                $0.amount = .with { $0.amountMinor = 12_900; $0.currency = "CNY" }
                $0.marginMinor = 3_000
                $0.purchaseTime = Google_Protobuf_Timestamp(date: Date())
                $0.channel = "app"
                $0.items = [.with { $0.productID = product(sequence); $0.category = "books"; $0.quantity = 1; $0.amountMinor = 12_900 }]
              }
            }, options: options)
          }
        ]),
      LoadScenario(
        name: "loyalty-read", summary: "get-account (balance) over the bulk store (reads)", setup: { _ in },
        operations: [
          LoadOperation(name: "balance", weight: 1) { client, sequence, options in
            _ = try await Crm_Loyalty_V1_LoyaltyService.Client(wrapping: client)
              .getAccount(.with { $0.customerID = customer(sequence) }, options: options)
          }
        ]),
      LoadScenario(
        name: "loyalty-write", summary: "earn-points on bulk accounts (durable writes)", setup: { _ in },
        operations: [
          LoadOperation(name: "earn", weight: 1) { client, sequence, options in
            _ = try await Crm_Loyalty_V1_LoyaltyService.Client(wrapping: client).earnPoints(.with {
              $0.customerID = customer(sequence)
              $0.points = 10
              $0.reason = "load"
              $0.orderID = "load-\(runID)-o-\(sequence)"
              $0.idempotencyKey.key = "load-\(runID)-e-\(sequence)"
            }, options: options)
          }
        ]),
      LoadScenario(
        name: "trust-read", summary: "get-product-summary over the bulk products (reads)", setup: { _ in },
        operations: [
          LoadOperation(name: "summary", weight: 1) { client, sequence, options in
            _ = try await Crm_Trust_V1_TrustService.Client(wrapping: client)
              .getProductSummary(.with { $0.productID = product(sequence) }, options: options)
          }
        ]),
      LoadScenario(
        name: "feedback-write", summary: "create-ticket for bulk customers (durable writes)", setup: { _ in },
        operations: [
          LoadOperation(name: "create", weight: 1) { client, sequence, options in
            _ = try await Crm_Feedback_V1_FeedbackService.Client(wrapping: client).createTicket(.with {
              $0.ticket = .with {
                $0.customerID = customer(sequence)
                $0.kind = .complaint
                $0.priority = .normal
                $0.channel = .inApp
                $0.category = "delivery/late"
                $0.text = "load"
              }
              $0.idempotencyKey.key = "load-\(runID)-t-\(sequence)"
            }, options: options)
          }
        ]),
    ]
  }

  /// Request `sequence`'s pick among `count` ids: a multiplicative hash, so consecutive
  /// requests land far apart in the store.
  static func spread(_ sequence: Int, over count: Int) -> Int {
    Int(UInt64(truncatingIfNeeded: sequence &+ 1) &* 11_400_714_819_323_198_485 % UInt64(max(count, 1)))
  }
}
