import Foundation
import GRDB

extension TrustStore {
  /// Photos, verification, moderation, highlights, helpfulness, replies, votes, the banned
  /// words and the precomputed aggregates.
  static func registerModerationMigration(_ migrator: inout DatabaseMigrator) {
    migrator.registerMigration("reviews-v2-moderation-aggregates") { db in
      try db.alter(table: ReviewRecord.databaseTableName) { t in
        t.add(column: "business_id", .text).notNull().defaults(to: "")
        t.add(column: "photo_refs", .text).notNull().defaults(to: "")
        t.add(column: "photo_count", .integer).notNull().defaults(to: 0)
        t.add(column: "verified", .boolean).notNull().defaults(to: false)
        t.add(column: "precheck_flags", .text).notNull().defaults(to: "")
        t.add(column: "rejection_reason", .text).notNull().defaults(to: "")
        t.add(column: "curated", .boolean).notNull().defaults(to: false)
        t.add(column: "featured", .boolean).notNull().defaults(to: false)
        t.add(column: "helpful_count", .integer).notNull().defaults(to: 0)
        t.add(column: "text_hash", .text).notNull().defaults(to: "")
        t.add(column: "updated_at", .datetime)
        t.add(column: "published_at", .datetime)
      }
      // A product's published reviews in each listing order, so the first page is an index
      // range, never a scan or a sort of the product's reviews.
      try db.execute(
        sql: """
          CREATE INDEX review_published_newest ON review(product_id, created_at, id) WHERE status = 2;
          CREATE INDEX review_published_rating ON review(product_id, rating, created_at, id) WHERE status = 2;
          CREATE INDEX review_published_helpful
            ON review(product_id, helpful_count, created_at, id) WHERE status = 2;
          CREATE INDEX review_pending ON review(created_at, id) WHERE status = 1;
          CREATE INDEX review_by_text_hash ON review(text_hash);
          """)
      try db.create(table: ReviewReplyRecord.databaseTableName) { t in
        t.column("id", .text).primaryKey()
        t.column("review_id", .text).notNull().references("review", onDelete: .cascade)
        t.column("author", .text).notNull()
        t.column("text", .text).notNull()
        t.column("visibility", .integer).notNull()
        t.column("created_at", .datetime).notNull()
      }
      try db.create(index: "review_reply_by_review", on: "review_reply", columns: ["review_id", "created_at"])
      try db.create(table: "helpful_vote") { t in
        t.column("review_id", .text).notNull().references("review", onDelete: .cascade)
        t.column("customer_id", .text).notNull()
        t.column("created_at", .datetime).notNull()
        t.primaryKey(["review_id", "customer_id"])
      }
      try db.create(table: ReviewAggregateRecord.databaseTableName) { t in
        t.column("scope", .text).notNull()
        t.column("subject_id", .text).notNull()
        t.column("review_count", .integer).notNull()
        t.column("rating_sum", .integer).notNull()
        t.column("verified_count", .integer).notNull()
        for rating in 1...5 { t.column("rating_\(rating)", .integer).notNull() }
        t.primaryKey(["scope", "subject_id"])
      }
      // The pre-check's banned words are data: operators edit the table, not the code.
      try db.create(table: "banned_word") { t in
        t.column("word", .text).primaryKey()
      }
      for word in ["scam", "idiot", "garbage", "bitch", "fuck"] {
        try db.execute(sql: "INSERT INTO banned_word (word) VALUES (?)", arguments: [word])
      }
    }
  }
}
