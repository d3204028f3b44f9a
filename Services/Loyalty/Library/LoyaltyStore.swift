import Foundation
import GRDB
import ServiceKit

/// The loyalty service's own store: accounts, the append-only points ledger, and the
/// idempotency ledger.
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
    return migrator
  }
}
