import Contracts
import Foundation
import GRDB
import GRPCCore
import ServiceKit
import SwiftProtobuf

extension LoyaltyService {
  /// The furthest ahead "points expiring soon" looks: beyond every configurable validity.
  static let maxExpiringWindow: Int64 = 5 * 366 * 86_400

  /// Expires the lots that are due; see `RunExpiry` in loyalty.proto.
  ///
  /// Needs no idempotency key: a lot that has expired holds no points, so running it again
  /// writes nothing more.
  public func runExpiry(
    request: Crm_Loyalty_V1_RunExpiryRequest,
    context: ServerContext
  ) async throws -> Crm_Loyalty_V1_RunExpiryResponse {
    guard request.maxLots >= 0 else {
      throw ServiceError.invalidArgument(field: "max_lots", reason: "must not be negative")
    }
    let limit = request.maxLots == 0 ? expiryBatchSize : min(Int(request.maxLots), expiryBatchSize)
    let now = clock.now()
    return try await store.database.write { db in
      // One more than the limit tells whether another call is needed.
      let due =
        try PointsLotRecord
        .filter(PointsLotRecord.Columns.remaining > 0 && PointsLotRecord.Columns.expiresAt <= now)
        .order(PointsLotRecord.Columns.expiresAt, PointsLotRecord.Columns.id)
        .limit(limit + 1)
        .fetchAll(db)
      var accounts: [String: AccountRecord] = [:]
      var response = Crm_Loyalty_V1_RunExpiryResponse()
      for var lot in due.prefix(limit) {
        var account =
          try accounts[lot.customerID] ?? PointsLedger.account(db, customerID: lot.customerID)
        response.pointsExpired += lot.remaining
        response.lotsExpired += 1
        try PointsLedger.expire(db, lot: &lot, account: &account)
        account.updatedAt = now
        accounts[lot.customerID] = account
      }
      for account in accounts.values {
        try account.update(db)
      }
      response.more = due.count > limit
      return response
    }
  }

  /// Lists the points a customer is about to lose; see `ListExpiringPoints` in loyalty.proto.
  public func listExpiringPoints(
    request: Crm_Loyalty_V1_ListExpiringPointsRequest,
    context: ServerContext
  ) async throws -> Crm_Loyalty_V1_ListExpiringPointsResponse {
    try FieldValidation.requireID(request.customerID, field: "customer_id")
    let within = request.within
    guard within.seconds >= 0, within.nanos >= 0, within.seconds > 0 || within.nanos > 0 else {
      throw ServiceError.invalidArgument(field: "within", reason: "must be more than zero")
    }
    guard within.seconds <= Self.maxExpiringWindow else {
      throw ServiceError.invalidArgument(field: "within", reason: "must be at most 5 years")
    }
    let now = clock.now()
    let horizon = now.addingTimeInterval(
      TimeInterval(within.seconds) + TimeInterval(within.nanos) / 1e9)
    return try await store.database.read { db in
      _ = try PointsLedger.account(db, customerID: request.customerID)
      // Lots already due have expired, exactly at their time, even before a run writes it.
      let lots =
        try PointsLotRecord
        .filter(PointsLotRecord.Columns.customerID == request.customerID)
        .filter(PointsLotRecord.Columns.remaining > 0)
        .filter(
          PointsLotRecord.Columns.expiresAt > now && PointsLotRecord.Columns.expiresAt <= horizon
        )
        .order(PointsLotRecord.Columns.expiresAt, PointsLotRecord.Columns.id)
        .fetchAll(db)
      return .with {
        $0.lots = lots.map(\.expiringMessage)
        $0.totalPoints = lots.reduce(0) { $0 + $1.remaining }
      }
    }
  }
}

extension PointsLotRecord {
  var expiringMessage: Crm_Loyalty_V1_ExpiringLot {
    .with {
      $0.lotID = id ?? 0
      $0.points = remaining
      $0.expireTime = Google_Protobuf_Timestamp(storeDate: expiresAt)
      $0.earnTime = Google_Protobuf_Timestamp(storeDate: earnedAt)
    }
  }
}
