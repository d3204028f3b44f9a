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
  /// The event sink segmentation serves (activity, loyalty tier changes).
  let events: Crm_Events_V1_EventSink.Client<InProcessTransport.Client>
  let clock: ManualClock
  let store: SegmentationStore
  /// The service itself, for what is not on the wire (group commit's statistics).
  let service: SegmentationService

  /// Serves the service and its event sink; the re-tier worker runs beside it (and re-tiers
  /// every `retierInterval` of the manual clock when one is given).
  static func run(
    lifecycle: LifecyclePolicy = LifecyclePolicy(),
    retierInterval: TimeInterval? = nil,
    _ body: (SegmentationHarness) async throws -> Void
  ) async throws {
    let database = try StoreOpener.inMemory(migrator: SegmentationStore.migrator)
    let store = SegmentationStore(database: database)
    let clock = ManualClock()
    let logger = Logger(label: "test")
    let service = SegmentationService(
      store: store, clock: clock, logger: logger, lifecycle: lifecycle)
    let sink = EventSinkService(database: database, applier: service, clock: clock)
    let worker = RetierWorker(
      store: store, clock: clock, logger: logger, policy: lifecycle,
      pollInterval: .milliseconds(5), batchSize: 2, refreshInterval: retierInterval)
    try await withInProcessServer([service, sink]) { client in
      try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await worker.run() }
        defer { group.cancelAll() }
        try await body(
          SegmentationHarness(
            client: Client(wrapping: client), events: .init(wrapping: client), clock: clock,
            store: store, service: service))
      }
    }
  }

  /// The events in the outbox, in order, with the destinations each was recorded for.
  func outbox() async throws -> [(event: Crm_Events_V1_Event, destination: String)] {
    try await store.database.read { db in
      try Row.fetchAll(db, sql: "SELECT event, destination FROM outbox_event ORDER BY seq").map {
        (try Crm_Events_V1_Event(serializedBytes: $0["event"] as Data), $0["destination"])
      }
    }
  }

  /// Waits (bounded) until the re-tier job is done, and returns it.
  func finish(job id: String) async throws -> Crm_Segmentation_V1_RetierJob {
    for _ in 0..<1000 {
      let job = try await client.getRetierJob(.with { $0.jobID = id }).job
      if job.state != .running { return job }
      try await Task.sleep(for: .milliseconds(5))
    }
    Issue.record("re-tier job \(id) did not finish")
    return try await client.getRetierJob(.with { $0.jobID = id }).job
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
