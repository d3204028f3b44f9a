import Foundation
import GRDB
import ServiceKit

/// The segmentation service's own store: profiles, tags, identities, purchases, refunds and
/// the idempotency ledger.
public struct SegmentationStore: Sendable {
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
    migrator.registerMigration("customers-v1") { db in
      try db.create(table: CustomerRecord.databaseTableName) { t in
        t.column("id", .text).primaryKey()
        t.column("type", .integer).notNull()
        t.column("display_name", .text).notNull()
        t.column("email", .text).notNull()
        t.column("phone", .text).notNull()
        t.column("source_channel", .text).notNull()
        t.column("account_manager", .text).notNull().indexed()
        t.column("time_zone", .text).notNull()
        t.column("created_at", .datetime).notNull()
        t.column("updated_at", .datetime).notNull()
      }
      try db.create(table: CustomerTagRecord.databaseTableName) { t in
        t.column("customer_id", .text).notNull()
          .references(CustomerRecord.databaseTableName, onDelete: .cascade)
        t.column("tag", .text).notNull()
        t.primaryKey(["customer_id", "tag"])
      }
      try db.create(index: "customer_tag_by_tag", on: CustomerTagRecord.databaseTableName, columns: ["tag"])
    }
    // Everything after customers-v1 lives in SegmentationStore+Migrations.swift, in order.
    registerProfileMigrations(&migrator)
    // The outbox of events for the other services (and an inbox for the ones it receives).
    EventStore.registerMigrations(&migrator)
    // Lifecycle stages, tier rules and the profile history (SegmentationStore+TierMigrations).
    registerTierMigrations(&migrator)
    registerTagMigrations(&migrator)
    registerStrategyMigrations(&migrator)
    // Kit-level, appended last: the audit trail of privileged calls.
    AuditTrail.registerMigrations(&migrator)
    // Events that arrived before what they depend on wait here (appended after the audit trail).
    ParkedEvents.registerMigrations(&migrator)
    return migrator
  }
}
