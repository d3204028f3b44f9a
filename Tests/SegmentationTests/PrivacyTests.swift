import Contracts
import Foundation
import GRDB
import GRPCCore
import Segmentation
import ServiceKit
import ServiceKitTesting
import Testing

@Suite("Segmentation: export and erasure")
struct PrivacyTests {
  @Test("export gives everything held; erase removes the person and keeps the aggregates")
  func exportAndErase() async throws {
    try await SegmentationHarness.run { harness in
      // Given a customer with an identity, a purchase, a refund and a reported activity
      let id = try await harness.client.createCustomer(.with {
        $0.customer = .with {
          $0.type = .individual
          $0.displayName = "Hana"
          $0.email = "hana@example.com"
          $0.tags = ["vip"]
        }
      }).customer.customerID
      _ = try await harness.client.linkIdentity(.with {
        $0.customerID = id
        $0.identity = harness.identity(.email, "hana@example.com")
      })
      try await harness.record(harness.purchase("o-1", customer: id, amount: 1_000, margin: 300))
      try await harness.refund("r-1", order: "o-1", amount: 100)
      _ = try await harness.client.reportActivity(.with {
        $0.customerID = id
        $0.kind = "review"
        $0.activityID = "rv-1"
        $0.activityTime = .init(date: harness.clock.now())
      })

      // When it is exported, everything is there
      let export = try await harness.client.exportCustomer(.with { $0.customerID = id })
      #expect(export.customer.email == "hana@example.com" && export.customer.identities.count == 1)
      #expect(export.customer.lifetimeValue == .cny(270))
      #expect(export.purchases.map(\.orderID) == ["o-1"])
      #expect(export.refunds.map(\.refundID) == ["r-1"])
      #expect(export.activities.map(\.activityID) == ["rv-1"])
      #expect(!export.history.isEmpty)

      // When it is erased (twice: idempotent), the person is gone
      _ = try await harness.client.eraseCustomer(.with { $0.customerID = id })
      _ = try await harness.client.eraseCustomer(.with { $0.customerID = id })
      await expectRPCError(.notFound) {
        _ = try await harness.client.exportCustomer(.with { $0.customerID = id })
      }
      await expectRPCError(.notFound) { _ = try await harness.get(id) }
      await expectRPCError(.notFound) {
        _ = try await harness.client.resolveIdentity(.with {
          $0.identity = harness.identity(.email, "hana@example.com")
        })
      }
      #expect(try await harness.client.listCustomers(.init()).customers.isEmpty)

      // And the aggregates stay, with nothing personal
      let row = try await harness.store.database.read { db in
        try Row.fetchOne(db, sql: "SELECT display_name, email, total_spend_minor FROM customer WHERE id = ?", arguments: [id])
      }
      #expect(row?["display_name"] == "" && row?["email"] == "")
      #expect(row?["total_spend_minor"] == 900)
      let purchaseCount = try await harness.store.database.read { db in
        try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM purchase") ?? 0
      }
      #expect(purchaseCount == 1)

      await expectRPCError(.notFound) {
        _ = try await harness.client.eraseCustomer(.with { $0.customerID = "nobody" })
      }
      await expectRPCError(.invalidArgument, field: "customer_id") {
        _ = try await harness.client.eraseCustomer(.init())
      }
    }
  }

  @Test("RFM scores are quintiles over the store, recomputed by the scan")
  func rfmScores() async throws {
    try await SegmentationHarness.run { harness in
      // Given five buyers: the i-th bought i times, for i * 1,000, i days before now
      var ids: [String] = []
      for i in 1...5 {
        let id = try await harness.createCustomer("B\(i)")
        ids.append(id)
        for n in 0..<i {
          try await harness.record(
            harness.purchase("o-\(i)-\(n)", customer: id, amount: 1_000, daysAgo: Double(6 - i)))
        }
      }
      #expect(try await harness.get(ids[0]).rfmRecency == 0)

      // When the scan runs
      _ = try await harness.client.runLifecycleScan(.init())

      // Then the scores run 1 to 5 in every dimension
      for (index, id) in ids.enumerated() {
        let profile = try await harness.get(id)
        let expected = Int32(index + 1)
        #expect(
          profile.rfmRecency == expected && profile.rfmFrequency == expected
            && profile.rfmMonetary == expected,
          "\(profile.rfmRecency) \(profile.rfmFrequency) \(profile.rfmMonetary)")
      }
    }
  }
}
