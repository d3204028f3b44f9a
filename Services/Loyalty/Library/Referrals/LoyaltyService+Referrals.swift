import Contracts
import Foundation
import GRDB
import GRPCCore
import ServiceKit

extension LoyaltyService {
  /// Returns (creating once) the account's referral code; see `GetReferralCode`.
  public func getReferralCode(
    request: Crm_Loyalty_V1_GetReferralCodeRequest,
    context: ServerContext
  ) async throws -> Crm_Loyalty_V1_GetReferralCodeResponse {
    try FieldValidation.requireID(request.customerID, field: "customer_id")
    let code = try await writePoints { db -> String in
      _ = try PointsLedger.account(db, customerID: request.customerID)
      if let code = try String.fetchOne(
        db, sql: "SELECT code FROM referral_code WHERE customer_id = ?",
        arguments: [request.customerID])
      {
        return code
      }
      let alphabet = Array("ABCDEFGHJKLMNPQRSTUVWXYZ23456789")
      while true {
        let code = "R" + String((0..<9).map { _ in alphabet.randomElement()! })
        let taken = try Int.fetchOne(
          db, sql: "SELECT COUNT(*) FROM referral_code WHERE code = ?", arguments: [code])
        guard taken == 0 else { continue }
        try db.execute(
          sql: "INSERT INTO referral_code (customer_id, code) VALUES (?, ?)",
          arguments: [request.customerID, code])
        return code
      }
    }
    return .with { $0.code = code }
  }

  /// Records a referral before the referred's first purchase; see `UseReferralCode`.
  public func useReferralCode(
    request: Crm_Loyalty_V1_UseReferralCodeRequest,
    context: ServerContext
  ) async throws -> Crm_Loyalty_V1_UseReferralCodeResponse {
    try FieldValidation.requireID(request.customerID, field: "customer_id")
    try FieldValidation.requireID(request.code, field: "code")
    let now = clock.now()
    let referrer = try await writePoints { db -> String in
      guard
        let referrer = try String.fetchOne(
          db, sql: "SELECT customer_id FROM referral_code WHERE code = ?",
          arguments: [request.code])
      else { throw ServiceError.notFound("referral code \(FieldValidation.quoted(request.code))") }
      if referrer == request.customerID {
        throw ServiceError.failedPrecondition("a customer cannot use their own referral code")
      }
      if let earlier = try String.fetchOne(
        db, sql: "SELECT referrer_customer_id FROM referral WHERE referred_customer_id = ?",
        arguments: [request.customerID])
      {
        guard earlier == referrer else {
          throw ServiceError.failedPrecondition(
            "customer \(request.customerID) was already referred with another code")
        }
        return referrer
      }
      let purchases =
        try Int.fetchOne(
          db, sql: "SELECT COUNT(*) FROM tier_activity WHERE customer_id = ? AND purchases > 0",
          arguments: [request.customerID]) ?? 0
      guard purchases == 0 else {
        throw ServiceError.failedPrecondition(
          "customer \(request.customerID) has purchased already: referrals count before that")
      }
      try db.execute(
        sql: """
          INSERT INTO referral (referred_customer_id, referrer_customer_id, created_at)
          VALUES (?, ?, ?)
          """, arguments: [request.customerID, referrer, now])
      return referrer
    }
    return .with { $0.referrerCustomerID = referrer }
  }

  /// On the referred customer's first purchase, rewards both sides once.
  func rewardReferral(_ db: Database, referredCustomerID: String, now: Date) throws {
    guard
      let referrer = try String.fetchOne(
        db,
        sql: """
          SELECT referrer_customer_id FROM referral
          WHERE referred_customer_id = ? AND rewarded_at IS NULL
          """, arguments: [referredCustomerID])
    else { return }
    try db.execute(
      sql: "UPDATE referral SET rewarded_at = ? WHERE referred_customer_id = ?",
      arguments: [now, referredCustomerID])
    // Without a `referral` rule the programme gives nothing; the referral still counts as used.
    guard try EarningRules.load(db).actionPoints["referral"] != nil else { return }
    _ = try rewardAction(
      db, customerID: referrer, action: "referral", referenceID: "referred \(referredCustomerID)",
      now: now)
    _ = try rewardAction(
      db, customerID: referredCustomerID, action: "referral",
      referenceID: "referred by \(referrer)", now: now)
  }
}
