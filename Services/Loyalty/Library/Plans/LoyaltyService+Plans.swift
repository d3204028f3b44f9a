import Contracts
import Foundation
import GRDB
import GRPCCore
import ServiceKit
import SwiftProtobuf

extension LoyaltyService {
  /// The longest first term a plan may have: multi-year framework agreements exist, longer
  /// ones are renegotiated.
  static let maxPlanTermSeconds: Int64 = 5 * 366 * 86_400

  /// Opens a plan; see `CreatePlan` in loyalty.proto.
  public func createPlan(
    request: Crm_Loyalty_V1_CreatePlanRequest,
    context: ServerContext
  ) async throws -> Crm_Loyalty_V1_CreatePlanResponse {
    let key = try IdempotencyLedger.requiredKey(
      request.idempotencyKey.key, field: "idempotency_key.key", action: "a plan")
    try FieldValidation.requireID(request.customerID, field: "customer_id")
    try FieldValidation.requireKnown(request.kind, field: "kind")
    try FieldValidation.require(request.discountBps, in: 0...10_000, field: "discount_bps")
    guard request.hasStartTime else {
      throw ServiceError.invalidArgument(field: "start_time", reason: "is required")
    }
    guard request.hasEndTime else {
      throw ServiceError.invalidArgument(field: "end_time", reason: "is required")
    }
    let start = Self.storeDate(request.startTime)
    let end = Self.storeDate(request.endTime)
    guard end > start else {
      throw ServiceError.invalidArgument(field: "end_time", reason: "must be after start_time")
    }
    guard end.timeIntervalSince(start) >= 86_400 else {
      throw ServiceError.invalidArgument(field: "end_time", reason: "a term is at least a day")
    }
    let term = PlanRecord.term(from: start, to: end)
    guard end.timeIntervalSince(start) <= TimeInterval(Self.maxPlanTermSeconds) else {
      throw ServiceError.invalidArgument(field: "end_time", reason: "a term is at most 5 years")
    }
    let now = clock.now()
    let result = try await store.database.write { db in
      try IdempotencyLedger.run(db, scope: "CreatePlan", key: key, request: request, now: now) {
        db in
        let plan = PlanRecord(
          planID: UUID().uuidString.lowercased(), customerID: request.customerID,
          kind: request.kind.rawValue, discountBps: Int(request.discountBps), startAt: start,
          endAt: end, termMonths: term.months, termSeconds: term.seconds,
          autoRenew: request.autoRenew, renewals: 0, createdAt: now, cancelledAt: nil)
        try plan.insert(db)
        return Crm_Loyalty_V1_CreatePlanResponse.with { $0.plan = plan.message(now: now) }
      }
    }
    return try result.get()
  }

  /// Returns a plan; see `GetPlan` in loyalty.proto.
  public func getPlan(
    request: Crm_Loyalty_V1_GetPlanRequest,
    context: ServerContext
  ) async throws -> Crm_Loyalty_V1_GetPlanResponse {
    try FieldValidation.requireID(request.planID, field: "plan_id")
    let now = clock.now()
    let plan = try await store.database.read { try Self.plan($0, id: request.planID) }
    return .with { $0.plan = plan.message(now: now) }
  }

  /// Lists a customer's plans; see `ListPlans` in loyalty.proto.
  public func listPlans(
    request: Crm_Loyalty_V1_ListPlansRequest,
    context: ServerContext
  ) async throws -> Crm_Loyalty_V1_ListPlansResponse {
    try FieldValidation.requireID(request.customerID, field: "customer_id")
    let now = clock.now()
    let plans = try await store.database.read { db in
      try PlanRecord
        .filter(sql: "customer_id = ?", arguments: [request.customerID])
        .order(sql: "start_at DESC, plan_id")
        .fetchAll(db)
    }
    return .with { $0.plans = plans.map { $0.message(now: now) } }
  }

  /// Extends a plan by one term; see `RenewPlan` in loyalty.proto.
  public func renewPlan(
    request: Crm_Loyalty_V1_RenewPlanRequest,
    context: ServerContext
  ) async throws -> Crm_Loyalty_V1_RenewPlanResponse {
    let key = try IdempotencyLedger.requiredKey(
      request.idempotencyKey.key, field: "idempotency_key.key", action: "a renewal")
    try FieldValidation.requireID(request.planID, field: "plan_id")
    let now = clock.now()
    let result = try await store.database.write { db in
      try IdempotencyLedger.run(db, scope: "RenewPlan", key: key, request: request, now: now) {
        db in
        var plan = try Self.plan(db, id: request.planID)
        if plan.cancelledAt != nil {
          throw ServiceError.failedPrecondition("plan \(plan.planID) is cancelled")
        }
        // Terms stay back to back: a renewal adds a term to the end of the current one (for an
        // auto-renewing plan, the term the clock is in), even when it comes late.
        plan.endAt = plan.oneTerm(after: plan.currentEnd(now: now))
        plan.renewals += 1
        try plan.update(db)
        return Crm_Loyalty_V1_RenewPlanResponse.with { $0.plan = plan.message(now: now) }
      }
    }
    return try result.get()
  }

  /// Cancels a plan; see `CancelPlan` in loyalty.proto.
  public func cancelPlan(
    request: Crm_Loyalty_V1_CancelPlanRequest,
    context: ServerContext
  ) async throws -> Crm_Loyalty_V1_CancelPlanResponse {
    try FieldValidation.requireID(request.planID, field: "plan_id")
    let now = clock.now()
    let plan = try await store.database.write { db in
      var plan = try Self.plan(db, id: request.planID)
      if plan.cancelledAt == nil {
        plan.cancelledAt = now
        try plan.update(db)
      }
      return plan
    }
    return .with { $0.plan = plan.message(now: now) }
  }

  /// The plan, or NOT_FOUND.
  private static func plan(_ db: Database, id: String) throws -> PlanRecord {
    guard let plan = try PlanRecord.fetchOne(db, key: id) else {
      throw ServiceError.notFound("plan \(FieldValidation.quoted(id))")
    }
    return plan
  }

  /// A request's time as the store keeps times (milliseconds).
  private static func storeDate(_ timestamp: Google_Protobuf_Timestamp) -> Date {
    Date(timeIntervalSince1970: (timestamp.date.timeIntervalSince1970 * 1000).rounded() / 1000)
  }
}

extension PlanRecord {
  /// The plan's state at `now`.
  func state(now: Date) -> Crm_Loyalty_V1_PlanState {
    if cancelledAt != nil { return .cancelled }
    if now < startAt { return .scheduled }
    return now < currentEnd(now: now) ? .active : .expired
  }

  /// The plan as the API shows it at `now`.
  func message(now: Date) -> Crm_Loyalty_V1_Plan {
    .with {
      $0.planID = planID
      $0.customerID = customerID
      $0.kind = Crm_Loyalty_V1_PlanKind(rawValue: kind) ?? .unspecified
      $0.discountBps = Int32(discountBps)
      $0.startTime = Google_Protobuf_Timestamp(storeDate: startAt)
      $0.endTime = Google_Protobuf_Timestamp(storeDate: currentEnd(now: now))
      $0.autoRenew = autoRenew
      $0.state = state(now: now)
      $0.renewals = Int32(renewals)
      $0.createTime = Google_Protobuf_Timestamp(storeDate: createdAt)
      if let cancelledAt { $0.cancelTime = Google_Protobuf_Timestamp(storeDate: cancelledAt) }
    }
  }
}
