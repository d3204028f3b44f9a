import Contracts
import Foundation
import GRDB
import GRPCCore
import ServiceKit

extension LoyaltyService {
  /// Takes back an order's points on its refund; see `ReversePoints` in loyalty.proto.
  public func reversePoints(
    request: Crm_Loyalty_V1_ReversePointsRequest,
    context: ServerContext
  ) async throws -> Crm_Loyalty_V1_ReversePointsResponse {
    let key = try IdempotencyLedger.requiredKey(
      request.idempotencyKey.key, field: "idempotency_key.key", action: "a reversal")
    try FieldValidation.requireID(request.customerID, field: "customer_id")
    try FieldValidation.requireID(request.orderID, field: "order_id")
    try FieldValidation.requireID(request.refundID, field: "refund_id")
    try Self.validateAmounts(refund: request.refundAmount, order: request.orderAmount)

    let now = clock.now()
    let result = try await writePoints { db in
      try IdempotencyLedger.run(
        db, scope: "ReversePoints", key: key, request: request, now: now
      ) { db in
        try reverse(db, request: request, now: now)
      }
    }
    return try result.get()
  }

  /// The amounts of a refund as any reversal (RPC or event) needs them; a failure here never
  /// goes away by waiting.
  static func validateAmounts(refund: Crm_Common_V1_Money, order: Crm_Common_V1_Money)
    throws(ServiceError)
  {
    try validateCurrency(order.currency, field: "order_amount.currency")
    try validateCurrency(refund.currency, field: "refund_amount.currency")
    if order.amountMinor <= 0 {
      throw .invalidArgument(field: "order_amount.amount_minor", reason: "must be more than zero")
    }
    if refund.amountMinor <= 0 {
      throw .invalidArgument(field: "refund_amount.amount_minor", reason: "must be more than zero")
    }
    if refund.currency != order.currency {
      throw .invalidArgument(
        field: "refund_amount.currency", reason: "must be the order's currency")
    }
    if refund.amountMinor > order.amountMinor {
      throw .invalidArgument(
        field: "refund_amount.amount_minor", reason: "must not exceed order_amount.amount_minor")
    }
  }

  private static func validateCurrency(_ code: String, field: String) throws(ServiceError) {
    guard code.count == 3, code.allSatisfy({ $0.isASCII && $0.isUppercase }) else {
      throw .invalidArgument(field: field, reason: "must be an ISO 4217 code such as CNY")
    }
  }

  /// Reverses the refund's share of the order's points.
  ///
  /// The share is computed on the order's refunds so far (floor of earned × refunded / order
  /// amount) minus what earlier refunds took, so that partial refunds adding up to the whole
  /// order take back exactly what it earned, with no rounding drift.
  func reverse(
    _ db: Database, request: Crm_Loyalty_V1_ReversePointsRequest, now: Date
  ) throws -> Crm_Loyalty_V1_ReversePointsResponse {
    if try PointsReversalRecord.exists(db, key: request.refundID) {
      throw ServiceError.alreadyExists("refund \(FieldValidation.quoted(request.refundID)) was already reversed")
    }
    var account = try PointsLedger.account(db, customerID: request.customerID)
    try settleDue(db, account: &account, now: now)
    let lots =
      try PointsLotRecord
      .filter(PointsLotRecord.Columns.customerID == request.customerID)
      .filter(PointsLotRecord.Columns.orderID == request.orderID)
      .order(PointsLotRecord.Columns.expiresAt, PointsLotRecord.Columns.id)
      .fetchAll(db)
    // Points of the order still pending (released ones are among the lots).
    let pending =
      try PendingPointsRecord
      .filter(PendingPointsRecord.Columns.customerID == request.customerID)
      .filter(PendingPointsRecord.Columns.orderID == request.orderID)
      .filter(PendingPointsRecord.Columns.state != "released")
      .order(PendingPointsRecord.Columns.availableAt.desc, PendingPointsRecord.Columns.id.desc)
      .fetchAll(db)
    guard !lots.isEmpty || !pending.isEmpty else {
      throw ServiceError.notFound(
        "points earned by order \(request.orderID) of customer \(request.customerID)")
    }
    let earlier =
      try PointsReversalRecord
      .filter(PointsReversalRecord.Columns.customerID == request.customerID)
      .filter(PointsReversalRecord.Columns.orderID == request.orderID)
      .fetchAll(db)
    let order = request.orderAmount
    if earlier.contains(where: {
      $0.orderAmountMinor != order.amountMinor || $0.currency != order.currency
    }) {
      throw ServiceError.failedPrecondition(
        "order \(request.orderID) was refunded before with another order amount")
    }
    // Earlier refunds add up to at most the order amount, so only this comparison could
    // overflow if written as a sum.
    let refundedBefore = earlier.reduce(0) { $0 + $1.refundAmountMinor }
    guard request.refundAmount.amountMinor <= order.amountMinor - refundedBefore else {
      throw ServiceError.failedPrecondition(
        "the refunds of order \(request.orderID) would exceed its amount")
    }
    let refunded = refundedBefore + request.refundAmount.amountMinor

    let earned =
      lots.reduce(Int64(0)) { $0 + $1.points } + pending.reduce(Int64(0)) { $0 + $1.points }
    // Full width: points × minor units can pass Int64 even though the quotient never does.
    let product = earned.multipliedFullWidth(by: refunded)
    let target = order.amountMinor.dividingFullWidth(product).quotient
    let due = target - earlier.reduce(0) { $0 + $1.pointsAccounted }

    // Points never available are cancelled first: taking them costs the customer nothing.
    let cancelled = try PendingPoints.cancel(db, points: due, from: pending, account: &account)
    let taken = try PointsLedger.take(
      db, points: due - cancelled, from: lots.filter { $0.remaining > 0 }, into: \.reversed)
    let shortfall = due - cancelled - taken
    // Expired points are already gone from the balance: forgive them first, and owe the rest.
    let expiredNotForgiven =
      lots.reduce(0) { $0 + $1.expired } - earlier.reduce(0) { $0 + $1.pointsExpired }
    let forgiven = min(shortfall, max(0, expiredNotForgiven))
    let debt = shortfall - forgiven

    var entry: LedgerEntryRecord?
    if taken > 0 {
      entry = try PointsLedger.append(
        db, customerID: request.customerID, kind: "reverse", points: -taken,
        reason: "refund \(request.refundID) of order \(request.orderID)", at: now)
    }
    account.balance -= taken
    account.pointsDebt += debt
    account.updatedAt = now
    try account.update(db)
    try PointsReversalRecord(
      refundID: request.refundID, customerID: request.customerID, orderID: request.orderID,
      refundAmountMinor: request.refundAmount.amountMinor, orderAmountMinor: order.amountMinor,
      currency: order.currency, pointsReversed: taken, pointsDebt: debt, pointsExpired: forgiven,
      pointsPendingCancelled: cancelled, createdAt: now
    ).insert(db)

    return .with {
      if let entry { $0.entry = entry.message }
      $0.account = account.message
      $0.pointsReversed = taken
      $0.pointsDebtAdded = debt
      $0.pointsAlreadyExpired = forgiven
      $0.pointsPendingCancelled = cancelled
    }
  }
}
