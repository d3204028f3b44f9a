import Foundation
import GRDB

extension FeedbackStore {
  /// The migrations after "ticket-queues-v1", in order; append new ones at the end, never edit
  /// these.
  static func registerIssueMigrations(_ migrator: inout DatabaseMigrator) {
    migrator.registerMigration("issues-v1") { db in
      try db.create(table: IssueRecord.databaseTableName) { t in
        t.column("id", .text).primaryKey()
        t.column("title", .text).notNull()
        t.column("category", .text).notNull()
        t.column("created_at", .datetime).notNull()
        t.column("resolution", .text).notNull()
        t.column("resolved_at", .datetime)
        t.column("resolved_by", .text).notNull()
      }
      try db.create(table: IssueTicketRecord.databaseTableName) { t in
        t.column("issue_id", .text).notNull().references(IssueRecord.databaseTableName)
        t.column("ticket_id", .text).notNull().references(TicketRecord.databaseTableName)
        t.column("linked_at", .datetime).notNull()
        t.column("notified_at", .datetime)
        t.primaryKey(["issue_id", "ticket_id"])
      }
      // Hot issues by issue walk the window's tickets and find their links.
      try db.create(
        index: "issue_ticket_on_ticket", on: IssueTicketRecord.databaseTableName,
        columns: ["ticket_id"])
      // Hot issues by category count a window's tickets per category from the index alone.
      try db.create(
        index: "ticket_on_created_category", on: TicketRecord.databaseTableName,
        columns: ["created_at", "category"])
    }

    migrator.registerMigration("knowledge-base-v1") { db in
      try db.create(table: ArticleRecord.databaseTableName) { t in
        t.autoIncrementedPrimaryKey("id")
        t.column("category", .text).notNull().indexed()
        t.column("title", .text).notNull()
        t.column("body", .text).notNull()
        t.column("created_at", .datetime).notNull()
        t.column("updated_at", .datetime).notNull()
      }
      try db.create(virtualTable: ArticleSearch.tableName, using: FTS5()) { t in
        t.synchronize(withTable: ArticleRecord.databaseTableName)
        t.tokenizer = .porter(wrapping: .unicode61())
        t.column("title")
        t.column("body")
      }
    }
  }
}
