import Contracts
import Foundation
import GRPCCore
import Testing

@Suite("Loyalty: rewards catalog, stock and per-customer limits")
struct RewardsCatalogTests {
  func upsert(
    _ loyalty: LoyaltyHarness, _ id: String, price: Int64, stock: Int64, limit: Int32 = 0,
    active: Bool = true
  ) async throws {
    _ = try await loyalty.client.upsertReward(
      .with {
        $0.reward = .with {
          $0.rewardID = id
          $0.name = "Reward \(id)"
          $0.pointsPrice = price
          $0.stock = stock
          $0.perCustomerLimit = limit
          $0.active = active
        }
      })
  }

  func redeem(_ loyalty: LoyaltyHarness, _ customer: String, _ reward: String, key: String)
    async throws -> Crm_Loyalty_V1_RedeemRewardResponse
  {
    try await loyalty.client.redeemReward(
      .with {
        $0.customerID = customer
        $0.rewardID = reward
        $0.idempotencyKey.key = key
      })
  }

  @Test("a redeem debits the price and takes one from stock; limits and stock are FAILED_PRECONDITION")
  func redeemReward() async throws {
    try await LoyaltyHarness.run { loyalty in
      try await upsert(loyalty, "mug", price: 100, stock: 3, limit: 2)
      try await loyalty.earn("alice", 1_000)

      let first = try await redeem(loyalty, "alice", "mug", key: "m-1")
      #expect(first.entry.points == -100)
      #expect(first.account.balance == 900)
      #expect(first.reward.stock == 2)
      #expect(first.customerRedemptions == 1)
      #expect(try await redeem(loyalty, "alice", "mug", key: "m-1") == first)
      _ = try await redeem(loyalty, "alice", "mug", key: "m-2")
      let limit = await rpcError { _ = try await redeem(loyalty, "alice", "mug", key: "m-3") }
      #expect(limit?.code == .failedPrecondition)

      try await upsert(loyalty, "cap", price: 5_000, stock: 1)
      let poor = await rpcError { _ = try await redeem(loyalty, "alice", "cap", key: "c-1") }
      #expect(poor?.code == .failedPrecondition)
      try await upsert(loyalty, "pen", price: 10, stock: 0)
      let empty = await rpcError { _ = try await redeem(loyalty, "alice", "pen", key: "p-1") }
      #expect(empty?.code == .failedPrecondition)
      try await upsert(loyalty, "old", price: 10, stock: 5, active: false)
      let inactive = await rpcError { _ = try await redeem(loyalty, "alice", "old", key: "o-1") }
      #expect(inactive?.code == .failedPrecondition)
      let unknown = await rpcError { _ = try await redeem(loyalty, "alice", "ghost", key: "g-1") }
      #expect(unknown?.code == .invalidArgument)
      #expect(unknown?.message.hasPrefix("reward_id:") == true)
      let badPrice = await rpcError { try await upsert(loyalty, "x", price: 0, stock: 1) }
      #expect(badPrice?.message.hasPrefix("reward.points_price:") == true)

      #expect(try await loyalty.account("alice").balance == 800)
      let rewards = try await loyalty.client.listRewards(.init()).rewards
      #expect(rewards.first { $0.rewardID == "mug" }?.stock == 1)
      #expect(rewards.first { $0.rewardID == "cap" }?.stock == 1)
      try await loyalty.expectInvariant("alice")
    }
  }

  @Test("50 concurrent redeems of a reward with stock 7 sell exactly 7")
  func noOversell() async throws {
    try await LoyaltyHarness.run { loyalty in
      try await upsert(loyalty, "phone", price: 10, stock: 7)
      for customer in 0..<50 { try await loyalty.earn("c\(customer)", 10) }

      let sold = await withTaskGroup(of: Bool.self) { group in
        for customer in 0..<50 {
          group.addTask {
            (try? await redeem(loyalty, "c\(customer)", "phone", key: "k-\(customer)")) != nil
          }
        }
        return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
      }

      #expect(sold == 7)
      #expect(try await loyalty.client.listRewards(.init()).rewards.first?.stock == 0)
      var spent = 0
      for customer in 0..<50 {
        let balance = try await loyalty.account("c\(customer)").balance
        spent += balance == 0 ? 1 : 0
        try await loyalty.expectInvariant("c\(customer)")
      }
      #expect(spent == 7)
    }
  }
}
