import Contracts
import Foundation
import GRDB
import GRPCCore
import ServiceKit

extension SegmentationService {
  /// `RecordRefund`: takes (part of) an order off its buyer's figures, once per refund id.
  public func recordRefund(
    request: Crm_Segmentation_V1_RecordRefundRequest,
    context: ServerContext
  ) async throws -> Crm_Segmentation_V1_RecordRefundResponse {
    let refund = request.refund
    let refundID = try NewPurchase.callerKey(refund.refundID, field: "refund.refund_id")
    try FieldValidation.requireID(refund.orderID, field: "refund.order_id")
    if !refund.hasAmount {
      throw ServiceError.invalidArgument(field: "refund.amount", reason: "is required")
    }
    let currency = try MoneyRules.currency(refund.amount.currency, field: "refund.amount.currency")
    try FieldValidation.require(
      refund.amount.amountMinor, in: 1...MoneyRules.maxAmountMinor,
      field: "refund.amount.amount_minor")
    var input = refund
    input.clearRecordTime()
    let body = try NewPurchase.deterministicBytes(input)
    let now = clock.now()
    let policy = lifecycle

    return try await writePurchase { db in
      if let existing = try RefundRecord.fetchOne(db, key: refundID) {
        guard existing.requestBody == body else {
          throw ServiceError.alreadyExists(
            "refund \(refundID) was already recorded with a different body")
        }
        return try Self.refundResponse(db, refund: existing, now: now)
      }
      guard let order = try PurchaseRecord.fetchOne(db, key: refund.orderID) else {
        throw ServiceError.notFound("order \(refund.orderID)")
      }
      if currency != order.currency {
        throw ServiceError.invalidArgument(
          field: "refund.amount.currency", reason: "must be the order's currency \(order.currency)")
      }
      let amount = refund.amount.amountMinor
      if order.refundedMinor + amount > order.amountMinor {
        throw ServiceError.failedPrecondition(
          "order \(order.orderID) has \(order.amountMinor - order.refundedMinor) left to refund, less than \(amount)"
        )
      }
      let (customer, _) = try CustomerLookup.live(db, id: order.customerID)
      let figures = try CustomerFigures.addRefund(
        db, to: customer, order: order, amount: amount, now: now)
      try ProfileRefresh.apply(db, record: figures, now: now, policy: policy, cause: "refund")
      var refunded = order
      refunded.refundedMinor += amount
      try refunded.update(db)
      let record = RefundRecord(
        id: refundID, orderID: order.orderID, amountMinor: amount, recordedAt: now,
        requestBody: body)
      try record.insert(db)
      try SegmentationEvents.purchaseRefunded(db, refund: record, order: order, now: now)
      return try Self.refundResponse(db, refund: record, now: now)
    }
  }

  private static func refundResponse(
    _ db: Database, refund: RefundRecord, now: Date
  ) throws -> Crm_Segmentation_V1_RecordRefundResponse {
    guard let order = try PurchaseRecord.fetchOne(db, key: refund.orderID) else {
      throw ServiceError.internalError("refund \(refund.id) names a missing order")
    }
    let (customer, _) = try CustomerLookup.live(db, id: order.customerID)
    return try .with {
      $0.refund = refund.message(currency: order.currency)
      $0.purchase = try order.message(db)
      $0.customer = try CustomerProfile.message(db, record: customer, now: now)
    }
  }
}
