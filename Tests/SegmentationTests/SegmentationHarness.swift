import Contracts
import Foundation
import GRDB
import GRPCCore
import GRPCInProcessTransport
import Logging
import Segmentation
import ServiceKit
import ServiceKitTesting
import SwiftProtobuf
import Testing

/// The segmentation service over an in-memory store and a manual clock, reached through the
/// generated client on an in-process transport.
struct SegmentationHarness {
  typealias Client = Crm_Segmentation_V1_SegmentationService.Client<InProcessTransport.Client>

  let client: Client
  let clock: ManualClock
  let store: SegmentationStore

  static func run(_ body: (SegmentationHarness) async throws -> Void) async throws {
    let database = try StoreOpener.inMemory(migrator: SegmentationStore.migrator)
    let store = SegmentationStore(database: database)
    let clock = ManualClock()
    let service = SegmentationService(store: store, clock: clock, logger: Logger(label: "test"))
    try await withInProcessServer([service]) { client in
      try await body(
        SegmentationHarness(client: Client(wrapping: client), clock: clock, store: store))
    }
  }

  /// Creates a profile and returns its id.
  @discardableResult
  func createCustomer(
    _ name: String, type: Crm_Segmentation_V1_CustomerType = .individual, tags: [String] = [],
    accountManager: String = "", sourceChannel: String = ""
  ) async throws -> String {
    try await client.createCustomer(
      .with {
        $0.customer = .with {
          $0.type = type
          $0.displayName = name
          $0.tags = tags
          $0.accountManager = accountManager
          $0.sourceChannel = sourceChannel
        }
      }
    ).customer.customerID
  }

  func get(_ id: String) async throws -> Crm_Segmentation_V1_Customer {
    try await client.getCustomer(.with { $0.customerID = id }).customer
  }

  /// A purchase of `amount` CNY minor units made `daysAgo` days before the clock's now.
  func purchase(
    _ orderID: String, customer: String, amount: Int64, margin: Int64 = 0, daysAgo: Double = 0,
    items: [(product: String, category: String, amount: Int64)]? = nil, currency: String = "CNY"
  ) -> Crm_Segmentation_V1_Purchase {
    .with {
      $0.orderID = orderID
      $0.customerID = customer
      $0.amount = .with {
        $0.amountMinor = amount
        $0.currency = currency
      }
      $0.marginMinor = margin
      $0.purchaseTime = Google_Protobuf_Timestamp(
        date: clock.now().addingTimeInterval(-daysAgo * 86_400))
      $0.channel = "web_shop"
      let lines = items ?? [("sku-1", "general", amount)]
      $0.items = lines.map { line in
        .with {
          $0.productID = line.product
          $0.category = line.category
          $0.quantity = 1
          $0.amountMinor = line.amount
        }
      }
    }
  }

  @discardableResult
  func record(_ purchase: Crm_Segmentation_V1_Purchase) async throws
    -> Crm_Segmentation_V1_RecordPurchaseResponse
  {
    try await client.recordPurchase(.with { $0.purchase = purchase })
  }

  @discardableResult
  func refund(_ refundID: String, order: String, amount: Int64, currency: String = "CNY")
    async throws
    -> Crm_Segmentation_V1_RecordRefundResponse
  {
    try await client.recordRefund(
      .with {
        $0.refund = .with {
          $0.refundID = refundID
          $0.orderID = order
          $0.amount = .with {
            $0.amountMinor = amount
            $0.currency = currency
          }
        }
      })
  }

  func identity(_ channel: Crm_Segmentation_V1_IdentityChannel, _ id: String)
    -> Crm_Segmentation_V1_ChannelIdentity
  {
    .with {
      $0.channel = channel
      $0.externalID = id
    }
  }
}

/// Expects `body` to fail with `code`, and INVALID_ARGUMENT messages to start with `field`.
func expectRPCError(
  _ code: RPCError.Code, field: String? = nil, sourceLocation: SourceLocation = #_sourceLocation,
  _ body: () async throws -> Void
) async {
  let error = await #expect(throws: RPCError.self, sourceLocation: sourceLocation) {
    try await body()
  }
  #expect(error?.code == code, "\(error?.message ?? "")", sourceLocation: sourceLocation)
  if let field {
    #expect(
      error?.message.hasPrefix("\(field):") == true, "\(error?.message ?? "")",
      sourceLocation: sourceLocation)
  }
}

extension Crm_Common_V1_Money {
  static func cny(_ minor: Int64) -> Self {
    .with {
      $0.amountMinor = minor
      $0.currency = "CNY"
    }
  }
}
