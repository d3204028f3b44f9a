import Contracts
import Foundation
import GRDB
import ServiceKit

/// Loyalty's side of the suite's flows: purchases recorded by segmentation earn points, and
/// refunds (segmentation) and approved refund claims (trust) take them back.
///
/// Each event is applied inside the sink's transaction, at most once per event id; the order
/// id links an earn to its later reversals exactly as the public RPCs do. A reversal can
/// arrive before its purchase (trust's claim before segmentation's order): it waits, parked by
/// the sink, until the purchase has been applied.
extension LoyaltyService: EventApplier {
  /// Loyalty's own migrations for its side of the flows; appended after the others.
  static func registerEventMigrations(_ migrator: inout DatabaseMigrator) {
    PurchasesSeen.registerMigrations(&migrator)
  }

  public func apply(_ event: Crm_Events_V1_Event, in db: Database, now: Date) throws {
    switch event.payload {
    case .purchaseRecorded(let purchase):
      // Points by the earning rules in force; the order id keeps an order from earning twice.
      try earnForPurchase(db, customerID: event.customerID, purchase: purchase, now: now)
      try PurchasesSeen.record(
        db, customerID: event.customerID, orderID: purchase.orderID, now: now)
    case .purchaseRefunded(let refund):
      try reverseOrder(
        db, customerID: event.customerID, orderID: refund.orderID, refundID: refund.refundID,
        refundAmount: refund.refundAmount, orderAmount: refund.orderAmount, now: now)
    case .refundClaimApproved(let claim):
      try reverseOrder(
        db, customerID: event.customerID, orderID: claim.orderID, refundID: "claim-\(claim.claimID)",
        refundAmount: claim.refundAmount, orderAmount: claim.orderAmount, now: now)
    case .lifecycleStageChanged(let change) where change.toStage == "dormant":
      // A dormant customer gets a come-back coupon; the sink applies each event once.
      try issueComebackCoupon(db, customerID: event.customerID, now: now)
    default:
      // Events loyalty does not act on are acknowledged and ignored.
      return
    }
  }

  private func reverseOrder(
    _ db: Database, customerID: String, orderID: String, refundID: String,
    refundAmount: Crm_Common_V1_Money, orderAmount: Crm_Common_V1_Money, now: Date
  ) throws {
    // Amounts that can never be reversed are rejected at once: waiting would not help.
    try FieldValidation.requireID(orderID, field: "order_id")
    try Self.validateAmounts(refund: refundAmount, order: orderAmount)
    // The purchase comes from segmentation, the claim from trust: whichever comes first, the
    // reversal waits for the order's purchase instead of being refused for good.
    guard try PurchasesSeen.contains(db, customerID: customerID, orderID: orderID) else {
      throw EventNotReady(
        reason: "waiting for the purchase of order \(orderID) of customer \(customerID)")
    }
    // An order seen that earned nothing here has nothing to take back.
    guard try PurchasesSeen.earned(db, customerID: customerID, orderID: orderID) else { return }
    _ = try reverse(
      db,
      request: .with {
        $0.customerID = customerID
        $0.orderID = orderID
        $0.refundID = refundID
        $0.refundAmount = refundAmount
        $0.orderAmount = orderAmount
      },
      now: now)
  }
}
