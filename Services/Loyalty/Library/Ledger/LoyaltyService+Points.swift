import Contracts
import Foundation
import GRDB
import GRPCCore
import ServiceKit
import SwiftProtobuf

extension LoyaltyService: Crm_Loyalty_V1_LoyaltyService.SimpleServiceProtocol {
  /// The most points one earn may credit: far above any real purchase, far below overflow.
  static let maxPointsPerEarn: Int64 = 1_000_000_000

  /// Credits points as a new lot; see `EarnPoints` in loyalty.proto for the statuses.
  public func earnPoints(
    request: Crm_Loyalty_V1_EarnPointsRequest,
    context: ServerContext
  ) async throws -> Crm_Loyalty_V1_EarnPointsResponse {
    let key = try IdempotencyLedger.requiredKey(
      request.idempotencyKey.key, field: "idempotency_key.key", action: "an earn")
    try FieldValidation.requireID(request.customerID, field: "customer_id")
    try FieldValidation.require(request.points, in: 1...Self.maxPointsPerEarn, field: "points")
    try FieldValidation.limitText(request.reason, field: "reason", maxLength: 200)
    try FieldValidation.limitText(request.orderID, field: "order_id", maxLength: 128)

    let now = clock.now()
    let result = try await store.database.write { db in
      try IdempotencyLedger.run(
        db, scope: "EarnPoints", key: key, request: request, now: now
      ) { db in
        try earn(db, request: request, now: now)
      }
    }
    return try result.get()
  }

  /// Credits the points as a new lot; a debt left by a refund takes its share first, so the
  /// customer never holds points that a refund already took back.
  func earn(
    _ db: Database, request: Crm_Loyalty_V1_EarnPointsRequest, now: Date
  ) throws -> Crm_Loyalty_V1_EarnPointsResponse {
    var account =
      try AccountRecord.fetchOne(db, key: request.customerID)
      ?? AccountRecord(
        customerID: request.customerID, balance: 0, lifetimePoints: 0, pointsDebt: 0,
        createdAt: now, updatedAt: now)
    try PointsLedger.expireDueLots(db, account: &account, now: now)
    let debtPaid = min(account.pointsDebt, request.points)
    account.balance += request.points - debtPaid
    account.pointsDebt -= debtPaid
    account.lifetimePoints += request.points
    account.updatedAt = now
    try account.save(db)

    let entry = try PointsLedger.append(
      db, customerID: request.customerID, kind: "earn", points: request.points,
      reason: request.reason, at: now)
    if debtPaid > 0 {
      _ = try PointsLedger.append(
        db, customerID: request.customerID, kind: "reverse", points: -debtPaid,
        reason: "debt from refunds paid", at: now)
    }
    var lot = PointsLotRecord(
      id: nil, customerID: request.customerID, earnEntryID: entry.id, orderID: request.orderID,
      points: request.points, remaining: request.points - debtPaid, redeemed: 0, expired: 0,
      reversed: debtPaid, earnedAt: now, expiresAt: expiryPolicy.expiry(ofPointsEarnedAt: now))
    try lot.insert(db)
    return .with {
      $0.entry = entry.message
      $0.account = account.message
    }
  }

  /// Returns an account; see `GetAccount` in loyalty.proto for the statuses.
  public func getAccount(
    request: Crm_Loyalty_V1_GetAccountRequest,
    context: ServerContext
  ) async throws -> Crm_Loyalty_V1_GetAccountResponse {
    try FieldValidation.requireID(request.customerID, field: "customer_id")
    guard
      let account = try await store.database.read({
        try AccountRecord.fetchOne($0, key: request.customerID)
      })
    else {
      throw ServiceError.notFound("loyalty account of customer \(request.customerID)")
    }
    return .with { $0.account = account.message }
  }
}

extension AccountRecord {
  var message: Crm_Loyalty_V1_Account {
    .with {
      $0.customerID = customerID
      $0.balance = balance
      $0.lifetimePoints = lifetimePoints
      $0.pointsDebt = pointsDebt
      $0.createTime = Google_Protobuf_Timestamp(storeDate: createdAt)
      $0.updateTime = Google_Protobuf_Timestamp(storeDate: updatedAt)
    }
  }
}

extension LedgerEntryRecord {
  var message: Crm_Loyalty_V1_LedgerEntry {
    .with {
      $0.entryID = id
      $0.customerID = customerID
      $0.kind = kind
      $0.points = points
      $0.reason = reason
      $0.createTime = Google_Protobuf_Timestamp(storeDate: createdAt)
    }
  }
}
