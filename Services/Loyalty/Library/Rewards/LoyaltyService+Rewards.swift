import Contracts
import Foundation
import GRDB
import GRPCCore
import ServiceKit

extension LoyaltyService {
  /// Adds or replaces a catalog reward; see `UpsertReward` in loyalty.proto.
  public func upsertReward(
    request: Crm_Loyalty_V1_UpsertRewardRequest,
    context: ServerContext
  ) async throws -> Crm_Loyalty_V1_UpsertRewardResponse {
    let reward = request.reward
    try FieldValidation.requireID(reward.rewardID, field: "reward.reward_id")
    guard (1...200).contains(reward.name.count) else {
      throw ServiceError.invalidArgument(field: "reward.name", reason: "must be 1 to 200 characters")
    }
    try FieldValidation.require(
      reward.pointsPrice, in: 1...Self.maxPointsPerEarn, field: "reward.points_price")
    guard reward.stock >= 0 else {
      throw ServiceError.invalidArgument(field: "reward.stock", reason: "must not be negative")
    }
    guard reward.perCustomerLimit >= 0 else {
      throw ServiceError.invalidArgument(
        field: "reward.per_customer_limit", reason: "must not be negative")
    }
    let record = RewardRecord(
      rewardID: reward.rewardID, name: reward.name, pointsPrice: reward.pointsPrice,
      stock: reward.stock, perCustomerLimit: Int(reward.perCustomerLimit),
      active: reward.active, updatedAt: clock.now())
    try await writePoints { db in try record.save(db) }
    return .with { $0.reward = record.message }
  }

  /// Lists the catalog; see `ListRewards` in loyalty.proto.
  public func listRewards(
    request: Crm_Loyalty_V1_ListRewardsRequest,
    context: ServerContext
  ) async throws -> Crm_Loyalty_V1_ListRewardsResponse {
    let rewards = try await store.database.read { db in
      try RewardRecord.order(sql: "reward_id").fetchAll(db)
    }
    return .with { $0.rewards = rewards.map(\.message) }
  }

  /// Spends points on one unit of a reward; see `RedeemReward` in loyalty.proto.
  ///
  /// The stock check, the decrement, the limit check and the debit are one operation of the
  /// single writer, so two redeems of the last unit can never both succeed.
  public func redeemReward(
    request: Crm_Loyalty_V1_RedeemRewardRequest,
    context: ServerContext
  ) async throws -> Crm_Loyalty_V1_RedeemRewardResponse {
    let key = try IdempotencyLedger.requiredKey(
      request.idempotencyKey.key, field: "idempotency_key.key", action: "a reward redeem")
    try FieldValidation.requireID(request.customerID, field: "customer_id")
    try FieldValidation.requireID(request.rewardID, field: "reward_id")
    let known = try await store.database.read { db in
      try RewardRecord.exists(db, key: request.rewardID)
    }
    guard known else {
      throw ServiceError.invalidArgument(field: "reward_id", reason: "is not in the catalog")
    }
    let now = clock.now()
    let result = try await writePoints { db in
      try IdempotencyLedger.run(
        db, scope: "RedeemReward", key: key, request: request, now: now
      ) { db in
        try redeemReward(db, request: request, now: now)
      }
    }
    return try result.get()
  }

  private func redeemReward(
    _ db: Database, request: Crm_Loyalty_V1_RedeemRewardRequest, now: Date
  ) throws -> Crm_Loyalty_V1_RedeemRewardResponse {
    guard var reward = try RewardRecord.fetchOne(db, key: request.rewardID) else {
      throw ServiceError.failedPrecondition("reward \(FieldValidation.quoted(request.rewardID)) was removed")
    }
    _ = try PointsLedger.account(db, customerID: request.customerID)
    guard reward.active else {
      throw ServiceError.failedPrecondition("reward \(reward.rewardID) is not active")
    }
    guard reward.stock > 0 else {
      throw ServiceError.failedPrecondition("reward \(reward.rewardID) is out of stock")
    }
    let before =
      try Int.fetchOne(
        db,
        sql: "SELECT COUNT(*) FROM reward_redemption WHERE reward_id = ? AND customer_id = ?",
        arguments: [reward.rewardID, request.customerID]) ?? 0
    if reward.perCustomerLimit > 0, before >= reward.perCustomerLimit {
      throw ServiceError.failedPrecondition(
        "customer \(request.customerID) has redeemed reward \(reward.rewardID) "
          + "\(before) times, the limit")
    }
    let redeemed = try redeem(
      db,
      request: .with {
        $0.customerID = request.customerID
        $0.points = reward.pointsPrice
        $0.reason = "reward \(reward.rewardID)"
      },
      now: now)
    // Conditional, so that even a writer that skipped the check above could not oversell.
    try db.execute(
      sql: "UPDATE reward SET stock = stock - 1, updated_at = ? WHERE reward_id = ? AND stock > 0",
      arguments: [now, reward.rewardID])
    guard db.changesCount == 1 else {
      throw ServiceError.failedPrecondition("reward \(reward.rewardID) is out of stock")
    }
    reward.stock -= 1
    try db.execute(
      sql: """
        INSERT INTO reward_redemption (reward_id, customer_id, entry_id, points, created_at)
        VALUES (?, ?, ?, ?, ?)
        """,
      arguments: [
        reward.rewardID, request.customerID, redeemed.entry.entryID, reward.pointsPrice, now,
      ])
    return .with {
      $0.entry = redeemed.entry
      $0.account = redeemed.account
      $0.reward = reward.message
      $0.customerRedemptions = Int32(before + 1)
    }
  }
}

extension RewardRecord {
  var message: Crm_Loyalty_V1_Reward {
    .with {
      $0.rewardID = rewardID
      $0.name = name
      $0.pointsPrice = pointsPrice
      $0.stock = stock
      $0.perCustomerLimit = Int32(perCustomerLimit)
      $0.active = active
    }
  }
}
