import Contracts
import Foundation
import GRDB
import Logging
import Segmentation
import ServiceKit
import ServiceKitTesting
import Testing

@Suite("Segmentation: store migrations")
struct MigrationTests {
  @Test("a store written at customers-v1 upgrades in place and its profiles keep working")
  func upgradeFromCustomersV1() async throws {
    // Given a store that stopped at customers-v1, with one profile in it
    let database = try DatabaseQueue()
    try SegmentationStore.migrator.migrate(database, upTo: "customers-v1")
    try await database.write { db in
      try db.execute(
        sql: """
          INSERT INTO customer (id, type, display_name, email, phone, source_channel, account_manager,
            time_zone, created_at, updated_at)
          VALUES ('old-1', 1, 'Old Timer', '', '', 'store', 'am-1', '', '2025-01-01 00:00:00.000', '2025-01-01 00:00:00.000')
          """)
      try db.execute(sql: "INSERT INTO customer_tag (customer_id, tag) VALUES ('old-1', 'vip')")
    }

    // When the remaining migrations run
    try SegmentationStore.migrator.migrate(database)

    // Then the profile is served with empty figures and takes purchases
    let clock = ManualClock()
    let service = SegmentationService(
      store: SegmentationStore(database: database), clock: clock, logger: Logger(label: "test"))
    try await withInProcessServer([service]) { grpc in
      let client = SegmentationHarness.Client(wrapping: grpc)
      let old = try await client.getCustomer(.with { $0.customerID = "old-1" }).customer
      #expect(old.displayName == "Old Timer" && old.tags == ["vip"] && old.purchaseCount == 0)
      let listed = try await client.listCustomers(.with { $0.filter.accountManager = "am-1" })
        .customers
      #expect(listed.map(\.customerID) == ["old-1"])
      let bought = try await client.recordPurchase(
        .with {
          $0.purchase = .with {
            $0.orderID = "o-1"
            $0.customerID = "old-1"
            $0.amount = .cny(100)
            $0.purchaseTime = .init(date: clock.now())
            $0.channel = "store"
            $0.items = [
              .with {
                $0.productID = "p"
                $0.category = "c"
                $0.quantity = 1
                $0.amountMinor = 100
              }
            ]
          }
        })
      #expect(bought.customer.totalSpend == .cny(100))
    }
  }

  @Test("profiles from before lifecycle stages are staged by the first scan and tiered in the background")
  func upgradeToLifecycleAndTiers() async throws {
    // Given a store that stopped before lifecycle-tiers-v1, with a buyer from 100 days ago
    let database = try DatabaseQueue()
    try SegmentationStore.migrator.migrate(database, upTo: "events-outbox-inbox-v1")
    let clock = ManualClock()
    let longAgo = clock.now().addingTimeInterval(-100 * 86_400)
    try await database.write { db in
      try db.execute(
        sql: """
          INSERT INTO customer (id, type, display_name, email, phone, source_channel, account_manager,
            time_zone, created_at, updated_at, currency, total_spend_minor, purchase_count,
            first_purchase_at, last_purchase_at)
          VALUES ('old-1', 1, 'Old Timer', '', '', 'store', '', '', ?, ?, 'CNY', 100, 1, ?, ?)
          """,
        arguments: [longAgo, longAgo, longAgo, longAgo])
    }

    // When the remaining migrations run and the service with its worker starts
    try SegmentationStore.migrator.migrate(database)
    let store = SegmentationStore(database: database)
    let service = SegmentationService(store: store, clock: clock, logger: Logger(label: "test"))
    let worker = RetierWorker(
      store: store, clock: clock, logger: Logger(label: "test"), pollInterval: .milliseconds(5))
    try await withInProcessServer([service]) { grpc in
      try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await worker.run() }
        defer { group.cancelAll() }
        let client = SegmentationHarness.Client(wrapping: grpc)
        // Then the migration's re-tier job gives the old profile its default tier
        var job = try await client.getRetierJob(.with { $0.jobID = "default-tier-rules-v1" }).job
        for _ in 0..<1000 where job.state == .running {
          try await Task.sleep(for: .milliseconds(5))
          job = try await client.getRetierJob(.with { $0.jobID = "default-tier-rules-v1" }).job
        }
        #expect(job.state == .done && job.done == 1)
        // and the first scan stages it from its last purchase (dormant: 100 days quiet)
        _ = try await client.runLifecycleScan(.init())
        let old = try await client.getCustomer(.with { $0.customerID = "old-1" }).customer
        #expect(old.lifecycleStage == "dormant")
        #expect(old.tier == "churn_risk", "\(old.tierReason)")
        #expect(old.lastActivityTime == old.lastPurchaseTime)
      }
    }
  }
}
