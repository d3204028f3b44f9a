import Contracts
import Foundation
import GRDB
import GRPCCore
import Loyalty
import SwiftProtobuf
import Testing

@Suite("Loyalty: GetLoyaltyFigures over a period through the gRPC client")
struct LoyaltyFiguresTests {
  func figures(_ loyalty: LoyaltyHarness, from: Date, to: Date) async throws
    -> Crm_Loyalty_V1_GetLoyaltyFiguresResponse
  {
    try await loyalty.client.getLoyaltyFigures(
      .with {
        $0.fromTime = Google_Protobuf_Timestamp(date: from)
        $0.toTime = Google_Protobuf_Timestamp(date: to)
      })
  }

  @Test("participation, points by kind, redemption, liability, tiers and repurchase for March")
  func marchFigures() async throws {
    // Points valid one month, so February's points expire on 1 March.
    try await LoyaltyHarness.run(policy: PointsExpiryPolicy(validityMonths: 1)) { loyalty in
      // Given gold at 120 points in the window
      var program = try await loyalty.client.getTierProgram(.init()).program
      program.tiers[1].minSpendMinor = 0
      program.tiers[1].minPurchases = 0
      program.tiers[1].minPoints = 120
      program.tiers[2].minSpendMinor = 0
      program.tiers[2].minPurchases = 0
      program.tiers[2].minPoints = 1_000
      _ = try await loyalty.client.setTierProgram(.with { $0.program = program })

      // February (before the period): dave earns 40, which expire on 1 March
      loyalty.clock.set(utc(2026, 2, 1))
      try await loyalty.earn("dave", 40)
      loyalty.clock.set(utc(2026, 3, 1, 10))
      #expect(try await loyalty.client.runExpiry(.init()).pointsExpired == 40)

      // March: alice buys twice (100 + 50 points, upgraded to gold), bob once (20), carol
      // writes a review (30); alice redeems 60 and half of her second order is refunded
      loyalty.clock.set(utc(2026, 3, 2))
      try await loyalty.deliver(loyalty.purchase("alice", order: "o-1", amountMinor: 10_000))
      try await loyalty.deliver(loyalty.purchase("alice", order: "o-2", amountMinor: 5_000))
      try await loyalty.deliver(loyalty.purchase("bob", order: "o-3", amountMinor: 2_000))
      loyalty.clock.set(utc(2026, 3, 3))
      try await loyalty.earn("carol", 30)
      loyalty.clock.set(utc(2026, 3, 4))
      try await loyalty.redeem("alice", 60)
      loyalty.clock.set(utc(2026, 3, 5))
      let reversal = try await loyalty.client.reversePoints(
        LoyaltyHarness.reverseRequest("alice", order: "o-2", refund: "r-1", refunded: 2_500, of: 5_000))
      #expect(reversal.pointsReversed == 25)

      // After the period: eve opens an account, alice earns again
      loyalty.clock.set(utc(2026, 4, 1, 12))
      try await loyalty.earn("eve", 10)
      try await loyalty.earn("alice", 5)

      // When March's figures are read
      let march = try await figures(loyalty, from: utc(2026, 3, 1), to: utc(2026, 4, 1))

      // Then
      #expect(march.accounts == 4)
      #expect(march.participatingAccounts == 3)
      #expect(march.participationRate == 0.75)
      #expect(march.pointsIssued == 200)
      #expect(march.pointsRedeemed == 60)
      #expect(march.pointsExpired == 40)
      #expect(march.pointsReversed == 25)
      #expect(march.redemptionRate == 0.3)
      // Current balances: alice 150 - 60 - 25 + 5, bob 20, carol 30, eve 10.
      #expect(march.outstandingPoints == 130)
      #expect(march.tierMix.map(\.tier) == ["silver", "gold", "diamond"])
      #expect(march.tierMix.map(\.members) == [4, 1, 0])
      #expect(march.upgrades == 1)
      #expect(march.downgrades == 0)
      #expect(march.tierMovements.count == 1)
      #expect(march.tierMovements.first?.toTier == "gold")
      #expect(march.tierMovements.first?.changes == 1)
      #expect(march.purchasingCustomers == 2)
      #expect(march.repeatCustomers == 1)
      #expect(march.repurchaseRate == 0.5)
      #expect(march.fromTime.date == utc(2026, 3, 1))

      // And February holds only dave's earn
      let february = try await figures(loyalty, from: utc(2026, 2, 1), to: utc(2026, 3, 1))
      #expect(february.accounts == 1)
      #expect(february.pointsIssued == 40)
      #expect(february.pointsExpired == 0)
      #expect(february.upgrades == 0)
      #expect(february.purchasingCustomers == 0)
      #expect(february.repurchaseRate == 0)
    }
  }

  @Test("pending purchase points count towards repurchase once, before and after release")
  func pendingPurchases() async throws {
    try await LoyaltyHarness.run { loyalty in
      var rules = try await loyalty.client.getEarningRules(.init()).rules
      rules.pendingPeriod = days(7)
      _ = try await loyalty.client.setEarningRules(.with { $0.rules = rules })
      try await loyalty.deliver(loyalty.purchase("alice", order: "o-1", amountMinor: 1_000))
      try await loyalty.deliver(loyalty.purchase("alice", order: "o-2", amountMinor: 1_000))
      let start = loyalty.clock.now()
      let before = try await figures(loyalty, from: start, to: start.addingTimeInterval(30 * 86_400))
      #expect(before.purchasingCustomers == 1)
      #expect(before.repeatCustomers == 1)
      #expect(before.outstandingPoints == 20)

      loyalty.clock.advance(by: 8 * 86_400)
      _ = try await loyalty.client.releasePendingPoints(.init())
      let after = try await figures(loyalty, from: start, to: start.addingTimeInterval(30 * 86_400))
      #expect(after.purchasingCustomers == 1)
      #expect(after.repeatCustomers == 1)
      #expect(after.pointsIssued == 20)
      #expect(after.outstandingPoints == 20)
    }
  }

  @Test("the period's ledger sums read the time index, not the table")
  func indexBacked() async throws {
    try await LoyaltyHarness.run { loyalty in
      try await loyalty.earn("alice", 10)
      let plan = try await loyalty.database.read { db in
        try Row.fetchAll(
          db,
          sql: """
            EXPLAIN QUERY PLAN SELECT kind, SUM(points) AS points FROM ledger_entry
            WHERE kind IN ('earn', 'redeem', 'expire', 'reverse') AND created_at >= ? AND created_at < ?
            GROUP BY kind
            """, arguments: [utc(2026, 1, 1), utc(2026, 2, 1)]
        ).map { $0["detail"] as String }.joined(separator: " | ")
      }
      #expect(plan.contains("COVERING INDEX ledger_entry_by_kind_time"), "\(plan)")
    }
  }

  @Test("missing or reversed times are INVALID_ARGUMENT naming the field")
  func badInput() async throws {
    try await LoyaltyHarness.run { loyalty in
      let noFrom = await rpcError {
        _ = try await loyalty.client.getLoyaltyFigures(
          .with { $0.toTime = Google_Protobuf_Timestamp(date: utc(2026, 2, 1)) })
      }
      #expect(noFrom?.code == .invalidArgument)
      #expect(noFrom?.message.hasPrefix("from_time:") == true)
      let noTo = await rpcError {
        _ = try await loyalty.client.getLoyaltyFigures(
          .with { $0.fromTime = Google_Protobuf_Timestamp(date: utc(2026, 2, 1)) })
      }
      #expect(noTo?.message.hasPrefix("to_time:") == true)
      let reversed = await rpcError {
        _ = try await figures(loyalty, from: utc(2026, 2, 1), to: utc(2026, 1, 1))
      }
      #expect(reversed?.code == .invalidArgument)
      #expect(reversed?.message.hasPrefix("to_time:") == true)
    }
  }
}
