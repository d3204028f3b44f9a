import Contracts
import Foundation
import GRDB
import GRPCCore
import ServiceKit

extension SegmentationService {
  /// `RecordPurchase`: records an order once and moves the buyer's figures with it.
  public func recordPurchase(
    request: Crm_Segmentation_V1_RecordPurchaseRequest,
    context: ServerContext
  ) async throws -> Crm_Segmentation_V1_RecordPurchaseResponse {
    let now = clock.now()
    let purchase = try NewPurchase(validating: request.purchase, now: now)
    let policy = lifecycle
    return try await writePurchase { db in
      // The order id is the idempotency key, checked against the purchase table itself rather
      // than the ledger: a failure (unknown customer) must not burn the order id for good.
      if let existing = try PurchaseRecord.fetchOne(
        db.cachedStatement(sql: "SELECT * FROM purchase WHERE order_id = ?"), arguments: [purchase.orderID])
      {
        guard existing.requestBody == purchase.body else {
          throw ServiceError.alreadyExists(
            "order \(purchase.orderID) was already recorded with a different body")
        }
        let (customer, _) = try CustomerLookup.live(db, id: existing.customerID)
        return try .with {
          $0.purchase = try existing.message(db)
          $0.customer = try CustomerProfile.message(db, record: customer, now: now)
        }
      }
      let (customer, _) = try CustomerLookup.live(db, id: purchase.customerID)
      let record = PurchaseRecord(
        orderID: purchase.orderID, customerID: customer.id, currency: purchase.currency,
        amountMinor: purchase.amountMinor, marginMinor: purchase.marginMinor, refundedMinor: 0,
        purchasedAt: purchase.purchasedAt, channel: purchase.channel, recordedAt: now,
        requestBody: purchase.body)
      try record.insert(db)
      for (line, item) in purchase.items.enumerated() {
        try PurchaseItemRecord(
          orderID: purchase.orderID, line: line, productID: item.productID,
          category: item.category.trimmingCharacters(in: .whitespacesAndNewlines),
          quantity: Int(item.quantity), amountMinor: item.amountMinor
        ).insert(db)
      }
      let figures = try CustomerFigures.addPurchase(db, to: customer, purchase: purchase, now: now)
      let updated = try ProfileRefresh.apply(
        db, record: figures, now: now, policy: policy, cause: "purchase")
      try SegmentationEvents.purchaseRecorded(db, record: record, items: purchase.items, firstPurchase: updated.purchaseCount == 1, now: now)
      return try .with {
        $0.purchase = try record.message(db)
        $0.customer = try CustomerProfile.message(db, record: updated, now: now)
      }
    }
  }

  /// `CheckPurchase`: whether the customer bought the product (not fully refunded).
  public func checkPurchase(
    request: Crm_Segmentation_V1_CheckPurchaseRequest,
    context: ServerContext
  ) async throws -> Crm_Segmentation_V1_CheckPurchaseResponse {
    try FieldValidation.requireID(request.customerID, field: "customer_id")
    try FieldValidation.requireID(request.productID, field: "product_id")
    return try await store.database.read { db in
      let (customer, _) = try CustomerLookup.live(db, id: request.customerID)
      let row = try Row.fetchOne(
        db,
        sql: """
          SELECT p.order_id, p.purchased_at FROM purchase p
          WHERE p.customer_id = ? AND (p.refunded_minor < p.amount_minor OR p.amount_minor = 0)
            AND EXISTS (SELECT 1 FROM purchase_item i WHERE i.order_id = p.order_id AND i.product_id = ?)
          ORDER BY p.purchased_at DESC, p.order_id LIMIT 1
          """,
        arguments: [customer.id, request.productID])
      guard let row else { return .with { $0.purchased = false } }
      return .with {
        $0.purchased = true
        $0.orderID = row["order_id"]
        $0.purchaseTime = .init(storeDate: row["purchased_at"])
      }
    }
  }
}
