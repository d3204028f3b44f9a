import Contracts
import Foundation
import GRDB
import GRPCCore
import ServiceKit

extension LoyaltyService {
  /// Replaces the earning rules; see `SetEarningRules` in loyalty.proto.
  public func setEarningRules(
    request: Crm_Loyalty_V1_SetEarningRulesRequest,
    context: ServerContext
  ) async throws -> Crm_Loyalty_V1_SetEarningRulesResponse {
    try EarningRules.validate(request.rules)
    let now = clock.now()
    try await store.database.write { db in
      try EarningRules.save(db, request.rules, now: now)
    }
    return .with { $0.rules = request.rules }
  }

  /// Returns the earning rules in force; see `GetEarningRules` in loyalty.proto.
  public func getEarningRules(
    request: Crm_Loyalty_V1_GetEarningRulesRequest,
    context: ServerContext
  ) async throws -> Crm_Loyalty_V1_GetEarningRulesResponse {
    let rules = try await store.database.read { try EarningRules.load($0) }
    return .with { $0.rules = rules }
  }

  /// Rewards an action with the points the rules give it; see `RewardAction` in loyalty.proto.
  public func rewardAction(
    request: Crm_Loyalty_V1_RewardActionRequest,
    context: ServerContext
  ) async throws -> Crm_Loyalty_V1_RewardActionResponse {
    let key = try IdempotencyLedger.requiredKey(
      request.idempotencyKey.key, field: "idempotency_key.key", action: "a reward")
    try FieldValidation.requireID(request.customerID, field: "customer_id")
    try FieldValidation.requireID(request.action, field: "action")
    try FieldValidation.requireID(request.referenceID, field: "reference_id")
    let now = clock.now()
    let result = try await writePoints { db in
      try IdempotencyLedger.run(
        db, scope: "RewardAction", key: key, request: request, now: now
      ) { db in
        try rewardAction(
          db, customerID: request.customerID, action: request.action,
          referenceID: request.referenceID, now: now)
      }
    }
    return try result.get()
  }

  /// Credits the action's points once per customer, action and reference.
  func rewardAction(
    _ db: Database, customerID: String, action: String, referenceID: String, now: Date
  ) throws -> Crm_Loyalty_V1_RewardActionResponse {
    let rules = try EarningRules.load(db)
    guard let points = rules.actionPoints[action] else {
      throw ServiceError.notFound("earning rule for action \(action)")
    }
    if try Bool.fetchOne(
      db,
      sql: """
        SELECT 1 FROM action_reward WHERE customer_id = ? AND action = ? AND reference_id = ?
        """, arguments: [customerID, action, referenceID]) == true
    {
      throw ServiceError.alreadyExists("\(action) \(FieldValidation.quoted(referenceID)) was already rewarded")
    }
    var account =
      try AccountRecord.fetchOne(db, key: customerID)
      ?? AccountRecord.opened(customerID: customerID, at: now)
    try settleDue(db, account: &account, now: now)
    let entry = try PointsLedger.credit(
      db, account: &account, points: points, reason: "\(action) \(referenceID)", orderID: "",
      at: now, expiresAt: expiryPolicy.expiry(ofPointsEarnedAt: now))
    account.updatedAt = now
    try account.save(db)
    try db.execute(
      sql: """
        INSERT INTO action_reward (customer_id, action, reference_id, entry_id, created_at)
        VALUES (?, ?, ?, ?, ?)
        """, arguments: [customerID, action, referenceID, entry.id, now])
    try afterEarn(db, account: &account, points: points, now: now)
    return .with {
      $0.entry = entry.message
      $0.account = account.message
    }
  }

  /// Earns a purchase's points by the rules in force, once per order: at once, or pending
  /// until the rules' pending period has passed.
  func earnForPurchase(
    _ db: Database, customerID: String, purchase: Crm_Events_V1_PurchaseRecorded, now: Date
  ) throws {
    var account =
      try AccountRecord.fetchOne(db, key: customerID)
      ?? AccountRecord.opened(customerID: customerID, at: now)
    try settleDue(db, account: &account, now: now)
    // The order id is the key: an order that already earned (however it arrived) earns no more.
    let earnedBefore =
      try PointsLotRecord
      .filter(PointsLotRecord.Columns.customerID == customerID)
      .filter(PointsLotRecord.Columns.orderID == purchase.orderID)
      .fetchCount(db)
      + PendingPointsRecord
      .filter(PendingPointsRecord.Columns.customerID == customerID)
      .filter(PendingPointsRecord.Columns.orderID == purchase.orderID)
      .fetchCount(db)
    guard earnedBefore == 0 else { return }
    let rules = try EarningRules.load(db)
    let points = EarningRules.purchasePoints(
      rules, amount: purchase.amount, items: purchase.items, tier: try currentTier(db, account))
    try recordPurchase(db, account: &account, purchase: purchase, now: now)
    try recordOrderItems(db, customerID: customerID, purchase: purchase)
    guard points > 0 else {
      // A purchase too small to earn still counts towards the tier of an existing member.
      if try AccountRecord.exists(db, key: customerID) {
        try account.update(db)
        try afterEarn(db, account: &account, points: 0, now: now)
      }
      return
    }
    let reason = "order \(purchase.orderID)"
    let pendingFor = EarningRules.pendingInterval(rules)
    if pendingFor > 0 {
      try PendingPoints.add(
        db, account: &account, points: points, reason: reason, orderID: purchase.orderID,
        now: now, availableAt: now.addingTimeInterval(pendingFor))
    } else {
      _ = try PointsLedger.credit(
        db, account: &account, points: points, reason: reason, orderID: purchase.orderID,
        at: now, expiresAt: expiryPolicy.expiry(ofPointsEarnedAt: now))
    }
    account.updatedAt = now
    try account.save(db)
    try afterEarn(db, account: &account, points: points, now: now)
    try rewardReferral(db, referredCustomerID: customerID, now: now)
  }

  /// Releases pending points that are due; see `ReleasePendingPoints` in loyalty.proto.
  public func releasePendingPoints(
    request: Crm_Loyalty_V1_ReleasePendingPointsRequest,
    context: ServerContext
  ) async throws -> Crm_Loyalty_V1_ReleasePendingPointsResponse {
    guard request.maxReleases >= 0 else {
      throw ServiceError.invalidArgument(field: "max_releases", reason: "must not be negative")
    }
    let limit =
      request.maxReleases == 0 ? expiryBatchSize : min(Int(request.maxReleases), expiryBatchSize)
    let now = clock.now()
    return try await writePoints { db in
      let due =
        try PendingPointsRecord
        .filter(PendingPointsRecord.Columns.state == "pending")
        .filter(PendingPointsRecord.Columns.availableAt <= now)
        .order(PendingPointsRecord.Columns.availableAt, PendingPointsRecord.Columns.id)
        .limit(limit + 1)
        .fetchAll(db)
      var accounts: [String: AccountRecord] = [:]
      var response = Crm_Loyalty_V1_ReleasePendingPointsResponse()
      for var pending in due.prefix(limit) {
        var account =
          try accounts[pending.customerID]
          ?? PointsLedger.account(db, customerID: pending.customerID)
        response.pointsReleased += pending.open
        response.releases += 1
        try PendingPoints.release(db, pending: &pending, account: &account, policy: expiryPolicy)
        account.updatedAt = now
        accounts[pending.customerID] = account
      }
      for account in accounts.values {
        try account.update(db)
      }
      response.more = due.count > limit
      return response
    }
  }
}
