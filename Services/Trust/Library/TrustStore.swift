import Foundation
import GRDB
import ServiceKit

/// The trust service's own store: reviews, their moderation, replies, votes and aggregates,
/// the outbox, guarantees and claims, credentials and case studies, and the idempotency
/// ledger.
public struct TrustStore: Sendable {
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
    migrator.registerMigration("reviews-v1") { db in
      try db.create(table: ReviewRecord.databaseTableName) { t in
        t.column("id", .text).primaryKey()
        t.column("customer_id", .text).notNull()
        t.column("product_id", .text).notNull()
        t.column("rating", .integer).notNull()
        t.column("title", .text).notNull()
        t.column("text", .text).notNull()
        t.column("order_id", .text).notNull()
        t.column("status", .integer).notNull()
        t.column("created_at", .datetime).notNull()
        // One review per customer per product.
        t.uniqueKey(["customer_id", "product_id"])
      }
      try db.create(
        index: "review_by_product_time", on: ReviewRecord.databaseTableName,
        columns: ["product_id", "created_at"])
    }
    registerModerationMigration(&migrator)
    EventStore.registerMigrations(&migrator)
    registerGuaranteeMigration(&migrator)
    registerListingIndexMigration(&migrator)
    registerFigureIndexMigration(&migrator)
    // Kit-level, appended last: the audit trail of privileged calls.
    AuditTrail.registerMigrations(&migrator)
    return migrator
  }
}
