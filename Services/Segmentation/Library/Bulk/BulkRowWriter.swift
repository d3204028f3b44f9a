import Contracts
import Foundation
import GRDB

/// The prepared statements of a bulk fill, and writing one customer's rows with them.
struct BulkRowWriter {
  private let db: Database
  private let purchase: Statement
  private let item: Statement
  private let categorySpend: Statement
  private let tag: Statement
  private let identity: Statement
  private let change: Statement

  init(_ db: Database) throws {
    self.db = db
    purchase = try db.makeStatement(
      sql: """
        INSERT INTO purchase (order_id, customer_id, currency, amount_minor, margin_minor,
          refunded_minor, purchased_at, channel, recorded_at, request_body)
        VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?, ?)
        """)
    item = try db.makeStatement(
      sql: """
        INSERT INTO purchase_item (order_id, line, product_id, category, quantity, amount_minor)
        VALUES (?, ?, ?, ?, ?, ?)
        """)
    categorySpend = try db.makeStatement(
      sql: "INSERT INTO customer_category_spend (customer_id, category, spend_minor) VALUES (?, ?, ?)")
    tag = try db.makeStatement(
      sql: "INSERT INTO customer_tag (customer_id, tag, rule_id) VALUES (?, ?, ?)")
    identity = try db.makeStatement(
      sql: "INSERT INTO customer_identity (channel, external_id, customer_id, linked_at) VALUES (?, ?, ?, ?)")
    change = try db.makeStatement(
      sql: """
        INSERT INTO profile_change (customer_id, kind, changed_at, from_value, to_value, cause)
        VALUES (?, ?, ?, ?, ?, ?)
        """)
  }

  /// Replays `customer`'s life through `timeline` and writes every row it leaves.
  func write(
    _ customer: BulkCustomerModel.Customer, timeline: inout BulkProfileTimeline,
    summary: inout SegmentationBulkFill.Summary
  ) throws {
    // Validated as RecordPurchase validates them at the moment they were made: the stored
    // body is the one a repeat of the order is compared with.
    let purchases = try customer.purchases.map { purchase in
      try NewPurchase(validating: purchase, now: purchase.purchaseTime.date)
    }
    let outcome = timeline.replay(
      record: customer.record, manualTags: Set(customer.manualTags), purchases: purchases)
    let id = customer.record.id
    try outcome.record.insert(db)
    for tag in customer.manualTags {
      try self.tag.execute(arguments: [id, tag, ""])
    }
    for (tag, ruleID) in outcome.autoTags.sorted(by: { $0.key < $1.key }) {
      try self.tag.execute(arguments: [id, tag, ruleID])
    }
    for link in customer.identities {
      try identity.execute(arguments: [link.channel, link.externalID, id, link.linkedAt])
    }
    for order in purchases {
      try purchase.execute(arguments: [
        order.orderID, id, order.currency, order.amountMinor, order.marginMinor,
        order.purchasedAt, order.channel, order.purchasedAt, order.body,
      ])
      for (line, entry) in order.items.enumerated() {
        try item.execute(arguments: [
          order.orderID, line, entry.productID,
          entry.category.trimmingCharacters(in: .whitespacesAndNewlines), Int(entry.quantity),
          entry.amountMinor,
        ])
      }
      summary.purchaseItems += order.items.count
    }
    for (category, spend) in outcome.categorySpend.sorted(by: { $0.key < $1.key }) where spend != 0 {
      try categorySpend.execute(arguments: [id, category, spend])
    }
    for entry in outcome.history {
      try change.execute(arguments: [
        id, entry.kind.rawValue, entry.at, entry.from, entry.to, entry.cause,
      ])
    }
    summary.customers += 1
    summary.purchases += purchases.count
    summary.identities += customer.identities.count
    summary.tags += customer.manualTags.count + outcome.autoTags.count
    summary.historyRows += outcome.history.count
  }
}
