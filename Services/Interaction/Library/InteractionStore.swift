import Foundation
import GRDB
import ServiceKit

/// The interaction service's own store: the interaction log, care plans, moments and tasks,
/// contact policies, templates, dates, the idempotency ledger and the event outbox/inbox.
public struct InteractionStore: Sendable {
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
    migrator.registerMigration("interactions-v1") { db in
      try db.create(table: InteractionRecord.databaseTableName) { t in
        t.column("id", .text).primaryKey()
        t.column("customer_id", .text).notNull()
        t.column("type", .text).notNull()
        t.column("channel", .integer).notNull()
        t.column("content", .text).notNull()
        t.column("owner", .text).notNull()
        t.column("planned_at", .datetime)
        t.column("actual_at", .datetime).notNull()
        t.column("customer_reply", .text).notNull()
        t.column("mood", .integer).notNull()
        t.column("score", .integer).notNull()
        t.column("created_at", .datetime).notNull()
      }
      // One customer's timeline, newest first, is an index range scan.
      try db.create(
        index: "interaction_by_customer_time", on: InteractionRecord.databaseTableName,
        columns: ["customer_id", "actual_at", "id"])
    }
    registerCareMigrations(&migrator)
    EventStore.registerMigrations(&migrator)
    // Kit-level, appended last: the audit trail of privileged calls.
    AuditTrail.registerMigrations(&migrator)
    // Events that arrived before what they depend on wait here (appended after the audit trail).
    ParkedEvents.registerMigrations(&migrator)
    return migrator
  }
}
