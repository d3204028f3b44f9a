import Contracts
import Foundation
import GRDB
import GRPCCore
import GRPCInProcessTransport
import Logging
import Loyalty
import ServiceKit
import ServiceKitTesting
import SwiftProtobuf
import Testing

typealias LoyaltyClient = Crm_Loyalty_V1_LoyaltyService.Client<InProcessTransport.Client>

/// A loyalty service behind the generated client, its clock and its store.
struct LoyaltyHarness {
  let client: LoyaltyClient
  let clock: ManualClock
  let database: any DatabaseWriter
  let service: LoyaltyService
  /// The service's event sink, as segmentation and trust deliver to it.
  let events: Crm_Events_V1_EventSink.Client<InProcessTransport.Client>

  /// Runs `body` against a fresh in-memory store, or against `database` when given.
  static func run(
    policy: PointsExpiryPolicy = PointsExpiryPolicy(),
    database: (any DatabaseWriter)? = nil,
    clock: ManualClock = ManualClock(),
    groupCommit: Bool = true,
    _ body: (LoyaltyHarness) async throws -> Void
  ) async throws {
    let database = try database ?? StoreOpener.inMemory(migrator: LoyaltyStore.migrator)
    let service = LoyaltyService(
      store: LoyaltyStore(database: database), clock: clock, logger: Logger(label: "test"),
      expiryPolicy: policy, groupCommit: groupCommit)
    let sink = EventSinkService(database: database, applier: service, clock: clock)
    try await withInProcessServer([service, sink]) { client in
      try await body(
        LoyaltyHarness(
          client: LoyaltyClient(wrapping: client), clock: clock, database: database,
          service: service, events: .init(wrapping: client)))
    }
  }

  // MARK: - Calls

  /// Delivers one event and expects it acknowledged.
  func deliver(
    _ event: Crm_Events_V1_Event, sourceLocation: SourceLocation = #_sourceLocation
  ) async throws {
    let response = try await events.deliverEvents(.with { $0.events = [event] })
    #expect(response.acknowledgedEventIds == [event.eventID], sourceLocation: sourceLocation)
  }

  /// A purchase recorded by segmentation, with its items (product, category, amount).
  func purchase(
    _ customer: String, order: String, amountMinor: Int64,
    items: [(product: String, category: String, amountMinor: Int64)] = [],
    firstPurchase: Bool = false
  ) -> Crm_Events_V1_Event {
    EventStore.event(
      from: .segmentation, customerID: customer, at: clock.now(),
      payload: .purchaseRecorded(
        .with {
          $0.orderID = order
          $0.amount = .with {
            $0.amountMinor = amountMinor
            $0.currency = "CNY"
          }
          $0.items = items.map { item in
            .with {
              $0.productID = item.product
              $0.category = item.category
              $0.quantity = 1
              $0.amountMinor = item.amountMinor
            }
          }
          $0.purchaseTime = Google_Protobuf_Timestamp(date: clock.now())
          $0.firstPurchase = firstPurchase
        }))
  }

  @discardableResult
  func earn(_ customer: String, _ points: Int64, order: String = "", key: String? = nil)
    async throws
    -> Crm_Loyalty_V1_EarnPointsResponse
  {
    try await client.earnPoints(
      .with {
        $0.customerID = customer
        $0.points = points
        $0.reason = order.isEmpty ? "review" : "order \(order)"
        $0.orderID = order
        $0.idempotencyKey.key = key ?? UUID().uuidString
      })
  }

  @discardableResult
  func redeem(_ customer: String, _ points: Int64, key: String? = nil) async throws
    -> Crm_Loyalty_V1_RedeemPointsResponse
  {
    try await client.redeemPoints(
      Self.redeemRequest(customer, points, key: key ?? UUID().uuidString))
  }

  static func redeemRequest(_ customer: String, _ points: Int64, key: String)
    -> Crm_Loyalty_V1_RedeemPointsRequest
  {
    .with {
      $0.customerID = customer
      $0.points = points
      $0.reason = "reward"
      $0.idempotencyKey.key = key
    }
  }

  static func reverseRequest(
    _ customer: String, order: String, refund: String, refunded: Int64, of orderAmount: Int64,
    key: String? = nil
  ) -> Crm_Loyalty_V1_ReversePointsRequest {
    .with {
      $0.customerID = customer
      $0.orderID = order
      $0.refundID = refund
      $0.refundAmount = .with {
        $0.amountMinor = refunded
        $0.currency = "CNY"
      }
      $0.orderAmount = .with {
        $0.amountMinor = orderAmount
        $0.currency = "CNY"
      }
      $0.idempotencyKey.key = key ?? "key-\(refund)"
    }
  }

  func account(_ customer: String) async throws -> Crm_Loyalty_V1_Account {
    try await client.getAccount(.with { $0.customerID = customer }).account
  }

  /// Every ledger entry of the customer, newest first, read page by page.
  func allEntries(_ customer: String, pageSize: Int32 = 200) async throws
    -> [Crm_Loyalty_V1_LedgerEntry]
  {
    var entries: [Crm_Loyalty_V1_LedgerEntry] = []
    var token = ""
    repeat {
      let page = try await client.listLedgerEntries(
        .with {
          $0.customerID = customer
          $0.page.pageSize = pageSize
          $0.page.pageToken = token
        })
      entries += page.entries
      token = page.page.nextPageToken
    } while !token.isEmpty
    return entries
  }

  /// The ledger's invariants: the balance is the sum of the entries and of the lots' remaining
  /// points, and neither balance nor debt is ever negative.
  func expectInvariant(_ customer: String, sourceLocation: SourceLocation = #_sourceLocation)
    async throws
  {
    let account = try await account(customer)
    let entries = try await allEntries(customer)
    let lots = try await database.read { db in
      try Int64.fetchOne(
        db, sql: "SELECT COALESCE(SUM(remaining), 0) FROM points_lot WHERE customer_id = ?",
        arguments: [customer])
    }
    #expect(
      account.balance == entries.reduce(0) { $0 + $1.points }, "balance vs entries",
      sourceLocation: sourceLocation)
    #expect(account.balance == lots, "balance vs lots", sourceLocation: sourceLocation)
    #expect(account.balance >= 0, sourceLocation: sourceLocation)
    #expect(account.pointsDebt >= 0, sourceLocation: sourceLocation)
  }
}

/// The gRPC error `body` throws, or a recorded issue when it succeeds.
func rpcError(_ body: () async throws -> Void, sourceLocation: SourceLocation = #_sourceLocation)
  async -> RPCError?
{
  do {
    try await body()
    Issue.record("expected an RPCError", sourceLocation: sourceLocation)
    return nil
  } catch let error as RPCError {
    return error
  } catch {
    Issue.record("expected an RPCError, got \(error)", sourceLocation: sourceLocation)
    return nil
  }
}

/// A UTC date from its parts.
func utc(_ year: Int, _ month: Int, _ day: Int, _ hour: Int = 0, _ minute: Int = 0) -> Date {
  PointsExpiryPolicy.utc.date(
    from: DateComponents(year: year, month: month, day: day, hour: hour, minute: minute))!
}

/// A protobuf duration of `days`.
func days(_ days: Int64) -> Google_Protobuf_Duration {
  Google_Protobuf_Duration(seconds: days * 86_400)
}
