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
    let result = try await writePoints { db in
      try IdempotencyLedger.run(
        db, scope: "EarnPoints", key: key, request: request, now: now
      ) { db in
        try earn(db, request: request, now: now)
      }
    }
    return try result.get()
  }

  /// Credits the points as a new lot, opening the account on first use.
  func earn(
    _ db: Database, request: Crm_Loyalty_V1_EarnPointsRequest, now: Date
  ) throws -> Crm_Loyalty_V1_EarnPointsResponse {
    var account =
      try LedgerStatements.account(db, customerID: request.customerID)
      ?? AccountRecord.opened(customerID: request.customerID, at: now)
    try settleDue(db, account: &account, now: now)
    let entry = try PointsLedger.credit(
      db, account: &account, points: request.points, reason: request.reason,
      orderID: request.orderID, at: now, expiresAt: expiryPolicy.expiry(ofPointsEarnedAt: now))
    account.updatedAt = now
    // `credit` opened the account when it was new.
    try LedgerStatements.update(db, account)
    try afterEarn(db, account: &account, points: request.points, now: now)
    return .with {
      $0.entry = entry.message
      $0.account = account.message
    }
  }

  /// Brings the account up to `now` before it changes: pending points whose time has come are
  /// credited, then lots past their expiry expire, so that no operation uses points too early
  /// or too late even when no periodic run has happened yet.
  func settleDue(_ db: Database, account: inout AccountRecord, now: Date) throws {
    try PendingPoints.releaseDue(db, account: &account, now: now, policy: expiryPolicy)
    try PointsLedger.expireDueLots(db, account: &account, now: now)
  }

  /// Returns an account; see `GetAccount` in loyalty.proto for the statuses.
  public func getAccount(
    request: Crm_Loyalty_V1_GetAccountRequest,
    context: ServerContext
  ) async throws -> Crm_Loyalty_V1_GetAccountResponse {
    try FieldValidation.requireID(request.customerID, field: "customer_id")
    guard
      let account = try await store.database.read({
        try LedgerStatements.account($0, customerID: request.customerID)
      })
    else {
      throw ServiceError.notFound("loyalty account of customer \(FieldValidation.quoted(request.customerID))")
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
      $0.pendingPoints = pendingPoints
      $0.tier = tier
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
