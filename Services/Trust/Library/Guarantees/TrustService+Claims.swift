import Contracts
import Foundation
import GRDB
import GRPCCore
import ServiceKit

extension TrustService {
  public func listGuarantees(
    request: Crm_Trust_V1_ListGuaranteesRequest,
    context: ServerContext
  ) async throws -> Crm_Trust_V1_ListGuaranteesResponse {
    try await store.database.read { db in
      try .with { $0.guarantees = try GuaranteeRecord.order(Column("position"), Column("id")).fetchAll(db).map(\.message) }
    }
  }

  public func fileClaim(
    request: Crm_Trust_V1_FileClaimRequest,
    context: ServerContext
  ) async throws -> Crm_Trust_V1_FileClaimResponse {
    let key = try IdempotencyLedger.requiredKey(
      request.idempotencyKey.key, field: "idempotency_key.key", action: "filing a claim")
    try FieldValidation.requireID(request.customerID, field: "customer_id")
    try FieldValidation.requireID(request.guaranteeID, field: "guarantee_id")
    try FieldValidation.requireID(request.orderID, field: "order_id")
    try FieldValidation.requireText(request.reason, field: "reason", maxLength: 2000)

    // A retry of a claim already filed replays without asking segmentation again.
    if let replay = try await replayedClaim(request: request, key: key) { return replay }
    guard let guarantee = try await store.database.read({ try GuaranteeRecord.fetchOne($0, key: request.guaranteeID) })
    else { throw ServiceError.notFound("guarantee \(FieldValidation.quoted(request.guaranteeID))") }
    guard let purchases else {
      throw ServiceError.unavailable("purchase records (segmentation) are not configured; claims cannot be checked")
    }
    // Read before the transaction: a write never waits on the network.
    let order = try await purchases.purchase(orderID: request.orderID)
    let business = try await guarantee.businessOnly ? purchases.isBusinessCustomer(request.customerID) : false
    let now = clock.now()
    let result = try await store.database.write { db in
      try IdempotencyLedger.run(db, scope: "FileClaim", key: key, request: request, now: now) { db in
        guard order.customerID == request.customerID else {
          throw ServiceError.failedPrecondition("order \(FieldValidation.quoted(request.orderID)) was bought by another customer")
        }
        if guarantee.businessOnly && !business {
          throw ServiceError.failedPrecondition("guarantee \(guarantee.id) is for business customers only")
        }
        let purchasedAt = order.purchaseTime.date
        let closes = purchasedAt.addingTimeInterval(TimeInterval(guarantee.windowDays) * 86_400)
        guard now <= closes else {
          throw ServiceError.failedPrecondition(
            "guarantee \(guarantee.id) covers \(guarantee.windowDays) days from the purchase; order \(order.orderID) is outside that window")
        }
        let existing = try ClaimRecord
          .filter(Column("order_id") == request.orderID && Column("guarantee_id") == request.guaranteeID)
          .fetchCount(db)
        guard existing == 0 else {
          throw ServiceError.alreadyExists("a claim under \(guarantee.id) for order \(FieldValidation.quoted(request.orderID)) exists")
        }
        let claim = ClaimRecord(
          id: UUID().uuidString.lowercased(), customerID: request.customerID, guaranteeID: guarantee.id,
          orderID: order.orderID, reason: request.reason, status: Crm_Trust_V1_ClaimStatus.filed.rawValue,
          purchasedAt: purchasedAt, orderAmountMinor: order.amount.amountMinor, currency: order.amount.currency,
          payoutMinor: order.amount.amountMinor * Int64(guarantee.payoutMultiplier), filedAt: now,
          responseDueAt: now.addingTimeInterval(TimeInterval(guarantee.responseHours) * 3600),
          firstResponseAt: nil, decision: 0, decisionNote: "", decidedAt: nil, settledAt: nil, settledAmountMinor: nil)
        try claim.insert(db)
        return Crm_Trust_V1_FileClaimResponse.with { $0.claim = claim.message(now: now) }
      }
    }
    return try result.get()
  }

  private func replayedClaim(request: Crm_Trust_V1_FileClaimRequest, key: String) async throws
    -> Crm_Trust_V1_FileClaimResponse?
  {
    let recorded = try await store.database.read { db in
      try Bool.fetchOne(db, sql: "SELECT 1 FROM idempotency_record WHERE scope = 'FileClaim' AND key = ?", arguments: [key])
    }
    guard recorded == true else { return nil }
    let now = clock.now()
    return try await store.database.write { db in
      try IdempotencyLedger.run(db, scope: "FileClaim", key: key, request: request, now: now) { _ -> Crm_Trust_V1_FileClaimResponse in
        throw ServiceError.internalError("the recorded claim outcome disappeared")
      }
    }.get()
  }

  public func getClaim(
    request: Crm_Trust_V1_GetClaimRequest,
    context: ServerContext
  ) async throws -> Crm_Trust_V1_GetClaimResponse {
    try FieldValidation.requireID(request.claimID, field: "claim_id")
    guard let claim = try await store.database.read({ try ClaimRecord.fetchOne($0, key: request.claimID) }) else {
      throw ServiceError.notFound("claim \(FieldValidation.quoted(request.claimID))")
    }
    return .with { $0.claim = claim.message(now: clock.now()) }
  }

  public func advanceClaim(
    request: Crm_Trust_V1_AdvanceClaimRequest,
    context: ServerContext
  ) async throws -> Crm_Trust_V1_AdvanceClaimResponse {
    let key = try IdempotencyLedger.validatedKey(request.idempotencyKey.key, field: "idempotency_key.key")
    try FieldValidation.requireID(request.claimID, field: "claim_id")
    let movable: [Crm_Trust_V1_ClaimStatus] = [.underReview, .approved, .rejected, .settled]
    guard movable.contains(request.status) else {
      throw ServiceError.invalidArgument(field: "status", reason: "must be UNDER_REVIEW, APPROVED, REJECTED or SETTLED")
    }
    if request.status == .rejected {
      try FieldValidation.requireText(request.note, field: "note", maxLength: 1000)
    } else {
      try FieldValidation.limitText(request.note, field: "note", maxLength: 1000)
    }
    if request.status == .settled {
      guard request.hasSettledAmount else {
        throw ServiceError.invalidArgument(field: "settled_amount", reason: "is required to settle")
      }
      try FieldValidation.require(request.settledAmount.amountMinor, in: 0...Int64.max, field: "settled_amount.amount_minor")
    }
    let now = clock.now()
    let result = try await store.database.write { db in
      try IdempotencyLedger.run(db, scope: "AdvanceClaim", key: key, request: request, now: now) { db in
        guard var claim = try ClaimRecord.fetchOne(db, key: request.claimID) else {
          throw ServiceError.notFound("claim \(FieldValidation.quoted(request.claimID))")
        }
        let from = Crm_Trust_V1_ClaimStatus(rawValue: claim.status) ?? .unspecified
        guard ClaimLifecycle.allows(from: from, to: request.status) else {
          throw ServiceError.failedPrecondition("claim \(claim.id) cannot move from \(from) to \(request.status)")
        }
        switch request.status {
        case .underReview:
          claim.firstResponseAt = now
        case .approved, .rejected:
          claim.decision = request.status.rawValue
          claim.decisionNote = request.note
          claim.decidedAt = now
        default:
          guard request.settledAmount.currency == claim.currency else {
            throw ServiceError.invalidArgument(
              field: "settled_amount.currency", reason: "must be the order's currency \(claim.currency)")
          }
          claim.settledAt = now
          claim.settledAmountMinor = request.settledAmount.amountMinor
        }
        claim.status = request.status.rawValue
        try claim.update(db)
        if request.status == .approved,
          let guarantee = try GuaranteeRecord.fetchOne(db, key: claim.guaranteeID), guarantee.refundsOrder
        {
          try TrustEvents.refundClaimApproved(db, claim: claim, now: now)
        }
        return Crm_Trust_V1_AdvanceClaimResponse.with { $0.claim = claim.message(now: now) }
      }
    }
    return try result.get()
  }
}

/// The moves a claim may make: filed -> under review -> approved / rejected; approved -> settled.
enum ClaimLifecycle {
  static func allows(from: Crm_Trust_V1_ClaimStatus, to: Crm_Trust_V1_ClaimStatus) -> Bool {
    switch (from, to) {
    case (.filed, .underReview), (.underReview, .approved), (.underReview, .rejected), (.approved, .settled): true
    default: false
    }
  }
}
