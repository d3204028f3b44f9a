import Foundation
import GRDB
import ServiceKit

/// The loyalty service's own store: accounts, the append-only points ledger, points lots,
/// reversals, and the idempotency ledger.
public struct LoyaltyStore: Sendable {
  /// The underlying database (a WAL pool in production, in memory in tests).
  public let database: any DatabaseWriter

  /// Wraps an opened and migrated database.
  public init(database: any DatabaseWriter) {
    self.database = database
  }

  /// The store's migrations, named and only ever appended.
  public static var migrator: DatabaseMigrator {
    var migrator = DatabaseMigrator()
    IdempotencyLedger.registerMigration(&migrator)
    migrator.registerMigration("points-ledger-v1") { db in
      try db.create(table: AccountRecord.databaseTableName) { t in
        t.column("customer_id", .text).primaryKey()
        t.column("balance", .integer).notNull().check { $0 >= 0 }
        t.column("lifetime_points", .integer).notNull()
        t.column("created_at", .datetime).notNull()
        t.column("updated_at", .datetime).notNull()
      }
      try db.create(table: LedgerEntryRecord.databaseTableName) { t in
        t.column("id", .text).primaryKey()
        t.column("customer_id", .text).notNull()
          .references(AccountRecord.databaseTableName)
        t.column("kind", .text).notNull()
        t.column("points", .integer).notNull()
        t.column("reason", .text).notNull()
        t.column("created_at", .datetime).notNull()
      }
      try db.create(
        index: "ledger_entry_by_customer_time", on: LedgerEntryRecord.databaseTableName,
        columns: ["customer_id", "created_at"])
      // The ledger is append-only: the store itself refuses to change or remove an entry.
      try db.execute(
        sql: """
          CREATE TRIGGER ledger_entry_no_update BEFORE UPDATE ON ledger_entry
          BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END;
          CREATE TRIGGER ledger_entry_no_delete BEFORE DELETE ON ledger_entry
          BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END;
          """)
    }
    registerPointsLots(&migrator)
    // Events from segmentation and trust are applied once each (inbox).
    EventStore.registerMigrations(&migrator)
    return migrator
  }

  /// Lots (what is left of each earn, and when it expires), the account's debt, and the
  /// record of reversed refunds.
  private static func registerPointsLots(_ migrator: inout DatabaseMigrator) {
    migrator.registerMigration("points-lots-v1") { db in
      try db.alter(table: AccountRecord.databaseTableName) { t in
        t.add(column: "points_debt", .integer).notNull().defaults(to: 0).check { $0 >= 0 }
      }
      try db.create(table: PointsLotRecord.databaseTableName) { t in
        t.autoIncrementedPrimaryKey("id")
        t.column("customer_id", .text).notNull().references(AccountRecord.databaseTableName)
        t.column("earn_entry_id", .text).references(LedgerEntryRecord.databaseTableName)
        t.column("order_id", .text).notNull()
        t.column("points", .integer).notNull().check { $0 > 0 }
        t.column("remaining", .integer).notNull().check { $0 >= 0 }
        t.column("redeemed", .integer).notNull().check { $0 >= 0 }
        t.column("expired", .integer).notNull().check { $0 >= 0 }
        t.column("reversed", .integer).notNull().check { $0 >= 0 }
        t.column("earned_at", .datetime).notNull()
        t.column("expires_at", .datetime).notNull()
        t.check(sql: "points = remaining + redeemed + expired + reversed")
      }
      // Redeem walks a customer's open lots by expiry; the expiry scan walks all open lots.
      try db.create(
        index: "points_lot_open_by_customer", on: PointsLotRecord.databaseTableName,
        columns: ["customer_id", "expires_at", "id"], condition: Column("remaining") > 0)
      try db.create(
        index: "points_lot_open_by_expiry", on: PointsLotRecord.databaseTableName,
        columns: ["expires_at", "id"], condition: Column("remaining") > 0)
      try db.create(
        index: "points_lot_by_order", on: PointsLotRecord.databaseTableName,
        columns: ["customer_id", "order_id"])
      try db.create(table: PointsReversalRecord.databaseTableName) { t in
        t.primaryKey("refund_id", .text)
        t.column("customer_id", .text).notNull().references(AccountRecord.databaseTableName)
        t.column("order_id", .text).notNull()
        t.column("refund_amount_minor", .integer).notNull()
        t.column("order_amount_minor", .integer).notNull()
        t.column("currency", .text).notNull()
        t.column("points_reversed", .integer).notNull()
        t.column("points_debt", .integer).notNull()
        t.column("points_expired", .integer).notNull()
        t.column("created_at", .datetime).notNull()
      }
      try db.create(
        index: "points_reversal_by_order", on: PointsReversalRecord.databaseTableName,
        columns: ["customer_id", "order_id"])
      // Balances earned before lots existed become one lot per account, valid for the default
      // 12 months from the account's last change, so that redeem and expiry find every point.
      try db.execute(
        sql: """
          INSERT INTO points_lot
            (customer_id, earn_entry_id, order_id, points, remaining, redeemed, expired, reversed,
             earned_at, expires_at)
          SELECT customer_id, NULL, '', balance, balance, 0, 0, 0, updated_at,
                 strftime('%Y-%m-%d %H:%M:%f', updated_at, '+12 months')
          FROM loyalty_account WHERE balance > 0
          """)
    }
  }
}
