import Contracts
import Foundation
import GRDB
import GRPCCore
import ServiceKit

extension LoyaltyService {
  /// Spends points from the lots that expire first; see `RedeemPoints` in loyalty.proto.
  ///
  /// The balance check and the debit happen in one write transaction, and the store has a
  /// single writer, so concurrent redeems on one account see each other's debits and can never
  /// spend the same points twice.
  public func redeemPoints(
    request: Crm_Loyalty_V1_RedeemPointsRequest,
    context: ServerContext
  ) async throws -> Crm_Loyalty_V1_RedeemPointsResponse {
    let key = try IdempotencyLedger.requiredKey(
      request.idempotencyKey.key, field: "idempotency_key.key", action: "a redeem")
    try FieldValidation.requireID(request.customerID, field: "customer_id")
    try FieldValidation.require(request.points, in: 1...Self.maxPointsPerEarn, field: "points")
    try FieldValidation.limitText(request.reason, field: "reason", maxLength: 200)

    let now = clock.now()
    let result = try await writePoints { db in
      try IdempotencyLedger.run(
        db, scope: "RedeemPoints", key: key, request: request, now: now
      ) { db in
        try redeem(db, request: request, now: now)
      }
    }
    return try result.get()
  }

  func redeem(
    _ db: Database, request: Crm_Loyalty_V1_RedeemPointsRequest, now: Date
  ) throws -> Crm_Loyalty_V1_RedeemPointsResponse {
    var account = try PointsLedger.account(db, customerID: request.customerID)
    try settleDue(db, account: &account, now: now)
    guard account.balance >= request.points else {
      // Thrown inside the idempotent run: the expiry above rolls back with it, and the
      // failure is what this key replays from now on.
      throw ServiceError.failedPrecondition(
        "insufficient points: \(request.points) requested, \(account.balance) available")
    }
    let taken = try PointsLedger.take(
      db, points: request.points, from: PointsLedger.openLots(db, customerID: request.customerID),
      into: \.redeemed)
    guard taken == request.points else {
      throw ServiceError.internalError(
        "the lots of customer \(request.customerID) do not add up to the balance")
    }
    account.balance -= request.points
    account.updatedAt = now
    try LedgerStatements.update(db, account)
    let entry = try PointsLedger.append(
      db, customerID: request.customerID, kind: "redeem", points: -request.points,
      reason: request.reason, at: now)
    return .with {
      $0.entry = entry.message
      $0.account = account.message
    }
  }
}
