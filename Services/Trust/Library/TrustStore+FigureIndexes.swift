import Foundation
import GRDB

extension TrustStore {
  /// The published-review figures (count, average rating, verified share between two dates)
  /// read from one covering index: with `review_by_published` alone each review in the period
  /// cost a table read for its rating and verified mark, seconds over a million reviews.
  /// `status` is a column too: SQLite 3.40 does not count a partial index's own condition as
  /// covered, and would read the table to test it.
  static func registerFigureIndexMigration(_ migrator: inout DatabaseMigrator) {
    migrator.registerMigration("reviews-v4-figures-covering-index") { db in
      try db.execute(
        sql: """
          DROP INDEX review_by_published;
          CREATE INDEX review_published_figures ON review(published_at, rating, verified, status) WHERE status = 2;
          """)
    }
  }
}
