import Foundation
import GRDB
import ServiceKit

/// The feedback service's own store: categories, SLA policies, tickets with their clocks and
/// history, survey answers, and the idempotency ledger.
public struct FeedbackStore: Sendable {
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
    migrator.registerMigration("tickets-v1") { db in
      try db.create(table: TicketRecord.databaseTableName) { t in
        t.column("id", .text).primaryKey()
        t.column("customer_id", .text).notNull().indexed()
        t.column("kind", .integer).notNull()
        t.column("priority", .integer).notNull()
        t.column("channel", .integer).notNull()
        t.column("category", .text).notNull()
        t.column("text", .text).notNull()
        t.column("status", .integer).notNull()
        t.column("created_at", .datetime).notNull()
        t.column("first_response_due_at", .datetime).notNull()
      }
    }
    registerLifecycleMigrations(&migrator)
    registerLoopMigrations(&migrator)
    registerIssueMigrations(&migrator)
    registerScaleMigrations(&migrator)
    // Kit-level, appended last: the audit trail of privileged calls.
    AuditTrail.registerMigrations(&migrator)
    // Events that arrived before what they depend on wait here (appended after the audit trail).
    ParkedEvents.registerMigrations(&migrator)
    return migrator
  }
}
