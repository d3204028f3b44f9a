import Contracts
import Foundation
import GRDB
import GRPCCore
import ServiceKit
import SwiftProtobuf

extension LoyaltyService {
  /// Issues an exclusive coupon; see `IssueCoupon` in loyalty.proto.
  public func issueCoupon(
    request: Crm_Loyalty_V1_IssueCouponRequest,
    context: ServerContext
  ) async throws -> Crm_Loyalty_V1_IssueCouponResponse {
    let key = try IdempotencyLedger.requiredKey(
      request.idempotencyKey.key, field: "idempotency_key.key", action: "a coupon issue")
    try FieldValidation.requireID(request.customerID, field: "customer_id")
    try FieldValidation.require(
      Int64(request.discountPercent), in: 1...100, field: "discount_percent")
    let validFor = request.validFor
    guard validFor.seconds >= 86_400, validFor.seconds <= 366 * 86_400, validFor.nanos >= 0 else {
      throw ServiceError.invalidArgument(field: "valid_for", reason: "must be 1 to 366 days")
    }
    let now = clock.now()
    let result = try await writePoints { db in
      try IdempotencyLedger.run(
        db, scope: "IssueCoupon", key: key, request: request, now: now
      ) { db in
        _ = try PointsLedger.account(db, customerID: request.customerID)
        let program = try TierProgram.load(db)
        let progress = try TierProgram.progress(
          db, customerID: request.customerID, program: program, now: now)
        let needed = TierProgram.frequentCustomerPurchases(program)
        guard progress.purchases >= needed else {
          throw ServiceError.failedPrecondition(
            "customer \(request.customerID) made \(progress.purchases) purchases in the window; "
              + "exclusive coupons need \(needed)")
        }
        let coupon = try issueCoupon(
          db, customerID: request.customerID, kind: "exclusive",
          discountPercent: Int(request.discountPercent),
          validUntil: now.addingTimeInterval(TimeInterval(validFor.seconds)), now: now)
        return Crm_Loyalty_V1_IssueCouponResponse.with { $0.coupon = coupon.message }
      }
    }
    return try result.get()
  }

  /// Writes a coupon with a fresh code: random, so codes cannot be guessed, and unique by the
  /// table's key.
  func issueCoupon(
    _ db: Database, customerID: String, kind: String, discountPercent: Int, validUntil: Date,
    now: Date
  ) throws -> CouponRecord {
    let alphabet = Array("ABCDEFGHJKLMNPQRSTUVWXYZ23456789")
    while true {
      var generator = SystemRandomNumberGenerator()
      let code = String((0..<12).map { _ in alphabet.randomElement(using: &generator)! })
      guard try !CouponRecord.exists(db, key: code) else { continue }
      let coupon = CouponRecord(
        code: code, customerID: customerID, kind: kind, discountPercent: discountPercent,
        validFrom: now, validUntil: validUntil, redeemedAt: nil)
      try coupon.insert(db)
      return coupon
    }
  }

  /// Gives a customer who turned dormant a come-back coupon (once per stage-change event),
  /// with the discount and validity the earning rules in force give it.
  func issueComebackCoupon(_ db: Database, customerID: String, now: Date) throws {
    let rules = try EarningRules.load(db)
    _ = try issueCoupon(
      db, customerID: customerID, kind: "comeback",
      discountPercent: EarningRules.comebackDiscountPercent(rules),
      validUntil: now.addingTimeInterval(EarningRules.comebackValidity(rules)), now: now)
  }

  /// Lists a customer's coupons, newest first, a keyset page at a time; see `ListCoupons` in
  /// loyalty.proto.
  public func listCoupons(
    request: Crm_Loyalty_V1_ListCouponsRequest,
    context: ServerContext
  ) async throws -> Crm_Loyalty_V1_ListCouponsResponse {
    try FieldValidation.requireID(request.customerID, field: "customer_id")
    let page = try ListPage(request.page, listing: "coupon", customerID: request.customerID)
    return try await store.database.read { db in
      var sql = "SELECT * FROM coupon WHERE customer_id = ?"
      var arguments: StatementArguments = [request.customerID]
      if let after = page.after {
        sql += " AND (valid_from < ? OR (valid_from = ? AND code > ?))"
        arguments += [after.time, after.time, after.tiebreak]
      }
      sql += " ORDER BY valid_from DESC, code LIMIT ?"
      arguments += [page.size + 1]
      let rows = try Row.fetchAll(db, sql: sql, arguments: arguments)
      let shown = rows.prefix(page.size)
      let coupons = try shown.map { try CouponRecord(row: $0) }
      return .with {
        $0.coupons = coupons.map(\.message)
        $0.page.nextPageToken = ListPage.nextToken(
          listing: "coupon", customerID: request.customerID, fetched: rows.count,
          size: page.size, time: shown.last?["valid_from"], tiebreak: shown.last?["code"])
      }
    }
  }

  /// Uses a coupon once; see `RedeemCoupon` in loyalty.proto.
  public func redeemCoupon(
    request: Crm_Loyalty_V1_RedeemCouponRequest,
    context: ServerContext
  ) async throws -> Crm_Loyalty_V1_RedeemCouponResponse {
    try FieldValidation.requireID(request.customerID, field: "customer_id")
    try FieldValidation.requireID(request.code, field: "code")
    let now = clock.now()
    return try await writePoints { db in
      guard var coupon = try CouponRecord.fetchOne(db, key: request.code),
        coupon.customerID == request.customerID
      else {
        throw ServiceError.notFound("coupon \(FieldValidation.quoted(request.code)) of customer \(FieldValidation.quoted(request.customerID))")
      }
      if coupon.redeemedAt != nil {
        throw ServiceError.failedPrecondition("coupon \(coupon.code) was already redeemed")
      }
      guard coupon.validFrom <= now, now < coupon.validUntil else {
        throw ServiceError.failedPrecondition("coupon \(coupon.code) is not valid now")
      }
      coupon.redeemedAt = now
      try coupon.update(db)
      return .with { $0.coupon = coupon.message }
    }
  }
}

extension CouponRecord {
  var message: Crm_Loyalty_V1_Coupon {
    .with {
      $0.code = code
      $0.customerID = customerID
      $0.kind = kind
      $0.discountPercent = Int32(discountPercent)
      $0.validFrom = Google_Protobuf_Timestamp(storeDate: validFrom)
      $0.validUntil = Google_Protobuf_Timestamp(storeDate: validUntil)
      if let redeemedAt { $0.redeemTime = Google_Protobuf_Timestamp(storeDate: redeemedAt) }
    }
  }
}
