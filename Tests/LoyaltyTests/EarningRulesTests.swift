import Contracts
import Foundation
import GRPCCore
import ServiceKit
import SwiftProtobuf
import Testing

@Suite("Loyalty: earning rules as data, action rewards and pending points")
struct EarningRulesTests {
  @Test("the defaults are served until an operator sets rules; bad rules name their field")
  func setAndGet() async throws {
    try await LoyaltyHarness.run { loyalty in
      let defaults = try await loyalty.client.getEarningRules(.init()).rules
      #expect(defaults.pointsPerCurrencyUnit == 1)
      #expect(defaults.actionPoints["review"] == 50)

      var rules = defaults
      rules.pointsPerCurrencyUnit = 3
      rules.categoryBonusPercent = ["electronics": 50]
      _ = try await loyalty.client.setEarningRules(.with { $0.rules = rules })
      #expect(try await loyalty.client.getEarningRules(.init()).rules == rules)

      for (field, change) in [
        ("rules.points_per_currency_unit", { (r: inout Crm_Loyalty_V1_EarningRules) in r.pointsPerCurrencyUnit = -1 }),
        ("rules.tier_multiplier_percent", { $0.tierMultiplierPercent["gold"] = 0 }),
        ("rules.category_bonus_percent", { $0.categoryBonusPercent["toys"] = 5000 }),
        ("rules.action_points", { $0.actionPoints["review"] = 0 }),
        ("rules.pending_period", { $0.pendingPeriod = days(400) }),
      ] {
        var bad = rules
        change(&bad)
        let error = await rpcError { _ = try await loyalty.client.setEarningRules(.with { $0.rules = bad }) }
        #expect(error?.code == .invalidArgument)
        #expect(error?.message.hasPrefix("\(field):") == true, "\(error?.message ?? "")")
      }
      #expect(try await loyalty.client.getEarningRules(.init()).rules == rules)
    }
  }

  @Test("a purchase earns by the rules: points per unit, category bonus per item, once per order")
  func purchaseByRules() async throws {
    try await LoyaltyHarness.run { loyalty in
      // Given 2 points per unit and +50% on electronics
      var rules = try await loyalty.client.getEarningRules(.init()).rules
      rules.pointsPerCurrencyUnit = 2
      rules.categoryBonusPercent = ["electronics": 50]
      _ = try await loyalty.client.setEarningRules(.with { $0.rules = rules })

      // When a 150.00 order (100.00 electronics, 50.00 books) is delivered, twice as two events
      let items = [("p-1", "electronics", Int64(10_000)), ("p-2", "books", 5_000)]
      try await loyalty.deliver(loyalty.purchase("alice", order: "o-1", amountMinor: 15_000, items: items))
      try await loyalty.deliver(loyalty.purchase("alice", order: "o-1", amountMinor: 15_000, items: items))

      // Then 100×2×1.5 + 50×2 = 400, earned once
      let account = try await loyalty.account("alice")
      #expect(account.balance == 400)
      #expect(try await loyalty.allEntries("alice").map(\.points) == [400])
      try await loyalty.expectInvariant("alice")
    }
  }

  @Test("actions earn the rules' points, once per action and reference")
  func actionRewards() async throws {
    try await LoyaltyHarness.run { loyalty in
      func reward(_ action: String, _ reference: String, key: String) async throws
        -> Crm_Loyalty_V1_RewardActionResponse
      {
        try await loyalty.client.rewardAction(
          .with {
            $0.customerID = "alice"
            $0.action = action
            $0.referenceID = reference
            $0.idempotencyKey.key = key
          })
      }
      let review = try await reward("review", "rv-1", key: "a-1")
      #expect(review.entry.points == 50)
      #expect(try await reward("review", "rv-1", key: "a-1") == review)
      #expect(try await reward("survey_answer", "sv-1", key: "a-2").account.balance == 70)
      #expect(await rpcError { _ = try await reward("review", "rv-1", key: "a-3") }?.code == .alreadyExists)
      #expect(await rpcError { _ = try await reward("dance", "d-1", key: "a-4") }?.code == .notFound)
      let empty = await rpcError { _ = try await reward("", "x", key: "a-5") }
      #expect(empty?.code == .invalidArgument)
      #expect(empty?.message.hasPrefix("action:") == true)
      #expect(try await loyalty.account("alice").balance == 70)
      try await loyalty.expectInvariant("alice")
    }
  }

  @Test("with a pending period, purchase points wait, then become available exactly at their time")
  func pendingPoints() async throws {
    try await LoyaltyHarness.run { loyalty in
      var rules = try await loyalty.client.getEarningRules(.init()).rules
      rules.pendingPeriod = days(14)
      _ = try await loyalty.client.setEarningRules(.with { $0.rules = rules })
      let bought = loyalty.clock.now()
      try await loyalty.deliver(loyalty.purchase("alice", order: "o-1", amountMinor: 30_000))

      // Pending, not spendable
      var account = try await loyalty.account("alice")
      #expect(account.balance == 0)
      #expect(account.pendingPoints == 300)
      #expect(await rpcError { try await loyalty.redeem("alice", 1) }?.code == .failedPrecondition)

      // Not yet due a second early
      loyalty.clock.advance(by: 14 * 86_400 - 1)
      #expect(try await loyalty.client.releasePendingPoints(.init()).releases == 0)

      // Due: released, dated at the moment they became available
      loyalty.clock.advance(by: 1)
      let released = try await loyalty.client.releasePendingPoints(.init())
      #expect(released.releases == 1)
      #expect(released.pointsReleased == 300)
      account = try await loyalty.account("alice")
      #expect(account.balance == 300)
      #expect(account.pendingPoints == 0)
      let entries = try await loyalty.allEntries("alice")
      #expect(entries.map(\.points) == [300])
      #expect(entries.first?.createTime.date == bought.addingTimeInterval(14 * 86_400))
      #expect(try await loyalty.client.releasePendingPoints(.init()).releases == 0)
      try await loyalty.expectInvariant("alice")
    }
  }

  @Test("the account's next change releases its due pending points; a refund cancels pending ones")
  func pendingWithRedeemAndRefund() async throws {
    try await LoyaltyHarness.run { loyalty in
      var rules = try await loyalty.client.getEarningRules(.init()).rules
      rules.pendingPeriod = days(7)
      _ = try await loyalty.client.setEarningRules(.with { $0.rules = rules })
      try await loyalty.deliver(loyalty.purchase("alice", order: "o-1", amountMinor: 10_000))
      loyalty.clock.advance(by: 7 * 86_400)
      try await loyalty.deliver(loyalty.purchase("alice", order: "o-2", amountMinor: 20_000))

      // The first order's points came due and the next event released them, with no run
      #expect(try await loyalty.redeem("alice", 100).account.balance == 0)

      // The second order is refunded by half while its points are still pending
      let reversed = try await loyalty.client.reversePoints(
        LoyaltyHarness.reverseRequest("alice", order: "o-2", refund: "rf-1", refunded: 10_000, of: 20_000))
      #expect(reversed.pointsPendingCancelled == 100)
      #expect(reversed.pointsReversed == 0)
      #expect(reversed.account.pendingPoints == 100)
      #expect(reversed.account.balance == 0)
      loyalty.clock.advance(by: 7 * 86_400)
      _ = try await loyalty.client.releasePendingPoints(.init())
      #expect(try await loyalty.account("alice").balance == 100)
      try await loyalty.expectInvariant("alice")
    }
  }
}
