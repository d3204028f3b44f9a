import Foundation
import GRDB
import ServiceKit

/// Keeps a profile's figures current inside the transaction of the write that moves them, so
/// reading a profile never sums its history.
enum CustomerFigures {
  /// Adds a new purchase to `customer`'s figures and writes the row.
  static func addPurchase(
    _ db: Database, to customer: CustomerRecord, purchase: NewPurchase, now: Date
  ) throws -> CustomerRecord {
    var updated = customer
    if customer.currency.isEmpty {
      updated.currency = purchase.currency
    } else if customer.currency != purchase.currency {
      throw ServiceError.failedPrecondition(
        "customer \(customer.id)'s figures are kept in \(customer.currency), not \(purchase.currency)"
      )
    }
    updated.totalSpendMinor += purchase.amountMinor
    updated.totalMarginMinor += purchase.marginMinor
    updated.purchaseCount += 1
    updated.firstPurchaseAt = min(
      customer.firstPurchaseAt ?? purchase.purchasedAt, purchase.purchasedAt)
    updated.lastPurchaseAt = max(
      customer.lastPurchaseAt ?? purchase.purchasedAt, purchase.purchasedAt)
    updated.lastActivityAt = max(
      customer.lastActivityAt ?? purchase.purchasedAt, purchase.purchasedAt)
    try CategoryRanking.add(db, customerID: customer.id, deltas: purchase.categorySpend)
    updated.preferredCategories = try CategoryRanking.current(db, customerID: customer.id)
    updated.updatedAt = now
    try updated.update(db)
    return updated
  }

  /// Takes a refund of `amount` off `customer`'s figures, for `order` before the refund.
  ///
  /// Margin and category spend go back in proportion to the refunded share of the order,
  /// computed on the cumulative refund so that a full refund in parts takes back exactly all.
  static func addRefund(
    _ db: Database, to customer: CustomerRecord, order: PurchaseRecord, amount: Int64, now: Date
  ) throws -> CustomerRecord {
    let before = order.refundedMinor
    let after = before + amount
    var updated = customer
    updated.totalSpendMinor -= amount
    updated.totalMarginMinor -=
      share(order.marginMinor, refunded: after, of: order.amountMinor)
      - share(order.marginMinor, refunded: before, of: order.amountMinor)
    let lines = try PurchaseItemRecord.filter(PurchaseItemRecord.Columns.orderID == order.orderID)
      .fetchAll(db)
    var categories: [String: Int64] = [:]
    for line in lines { categories[line.category, default: 0] += line.amountMinor }
    let deltas = categories.mapValues {
      share($0, refunded: before, of: order.amountMinor)
        - share($0, refunded: after, of: order.amountMinor)
    }
    try CategoryRanking.add(db, customerID: customer.id, deltas: deltas)
    updated.preferredCategories = try CategoryRanking.current(db, customerID: customer.id)
    updated.updatedAt = now
    try updated.update(db)
    return updated
  }

  /// `value * refunded / total`, rounded toward zero, without overflowing on large amounts.
  static func share(_ value: Int64, refunded: Int64, of total: Int64) -> Int64 {
    guard total > 0 else { return 0 }
    let product = value.multipliedFullWidth(by: refunded)
    return total.dividingFullWidth((product.high, product.low)).quotient
  }
}
