import Foundation
import GRDB

/// The orders whose purchase loyalty has seen, whether or not they earned points.
///
/// A reversal (a refund from segmentation, an approved refund claim from trust) can arrive
/// before its order's purchase, since the two come from different senders: for an order not
/// seen here it waits; for one seen that earned nothing it has nothing to take back.
enum PurchasesSeen {
  static func registerMigrations(_ migrator: inout DatabaseMigrator) {
    migrator.registerMigration("purchases-seen-v1") { db in
      try db.create(table: "purchase_seen") { t in
        t.column("customer_id", .text).notNull()
        t.column("order_id", .text).notNull()
        t.column("seen_at", .datetime).notNull()
        t.primaryKey(["customer_id", "order_id"])
      }
      // Orders seen before this table existed: those that earned, and those with items.
      try db.execute(
        sql: """
          INSERT OR IGNORE INTO purchase_seen (customer_id, order_id, seen_at)
          SELECT customer_id, order_id, min(earned_at) FROM points_lot
          WHERE order_id != '' GROUP BY customer_id, order_id;
          INSERT OR IGNORE INTO purchase_seen (customer_id, order_id, seen_at)
          SELECT customer_id, order_id, min(earned_at) FROM pending_points
          GROUP BY customer_id, order_id;
          INSERT OR IGNORE INTO purchase_seen (customer_id, order_id, seen_at)
          SELECT DISTINCT customer_id, order_id, strftime('%Y-%m-%d %H:%M:%f', 'now')
          FROM order_item;
          """)
    }
  }

  /// Records that `orderID`'s purchase has been applied.
  static func record(_ db: Database, customerID: String, orderID: String, now: Date) throws {
    try db.cachedStatement(
      sql: "INSERT OR IGNORE INTO purchase_seen (customer_id, order_id, seen_at) VALUES (?, ?, ?)"
    ).execute(arguments: [customerID, orderID, now])
  }

  /// Whether the order's purchase has been seen, or the order earned points some other way
  /// (`EarnPoints` with its order id).
  static func contains(_ db: Database, customerID: String, orderID: String) throws -> Bool {
    try Bool.fetchOne(
      db.cachedStatement(
        sql: """
          SELECT EXISTS (SELECT 1 FROM purchase_seen WHERE customer_id = ?1 AND order_id = ?2)
              OR EXISTS (SELECT 1 FROM points_lot WHERE customer_id = ?1 AND order_id = ?2)
              OR EXISTS (SELECT 1 FROM pending_points WHERE customer_id = ?1 AND order_id = ?2)
          """),
      arguments: [customerID, orderID]) ?? false
  }

  /// Whether the order has points here to take back (earned, pending or already reversed).
  static func earned(_ db: Database, customerID: String, orderID: String) throws -> Bool {
    try Bool.fetchOne(
      db.cachedStatement(
        sql: """
          SELECT EXISTS (SELECT 1 FROM points_lot WHERE customer_id = ?1 AND order_id = ?2)
              OR EXISTS (SELECT 1 FROM pending_points WHERE customer_id = ?1 AND order_id = ?2)
          """),
      arguments: [customerID, orderID]) ?? false
  }
}
