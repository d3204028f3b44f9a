import Foundation
import GRDB

extension TrustStore {
  /// Listing indexes that also answer the filters. At a million reviews a product can have tens
  /// of thousands: a filtered page (rating, verified, with photos) must neither visit the table
  /// for every review it skips nor walk a product's reviews in the wrong order.
  ///
  /// - Each listing index carries `rating`, `verified` and `photo_count` after its sort key, so
  ///   SQLite tests the filters on index entries (a deferred seek) and reads a review's row only
  ///   for the page itself.
  /// - A rating filter turns the rating index into an exact range for newest and rating order,
  ///   and `review_published_rating_helpful` does the same for helpfulness order.
  /// - `review_by_product_time` (first release) is read by no query since the published indexes
  ///   exist, and every review write paid for it.
  static func registerListingIndexMigration(_ migrator: inout DatabaseMigrator) {
    migrator.registerMigration("reviews-v3-listing-filter-indexes") { db in
      try db.execute(
        sql: """
          DROP INDEX review_by_product_time;
          DROP INDEX review_published_newest;
          DROP INDEX review_published_rating;
          DROP INDEX review_published_helpful;
          CREATE INDEX review_published_newest
            ON review(product_id, created_at, id, rating, verified, photo_count) WHERE status = 2;
          CREATE INDEX review_published_rating
            ON review(product_id, rating, created_at, id, verified, photo_count) WHERE status = 2;
          CREATE INDEX review_published_helpful
            ON review(product_id, helpful_count, created_at, id, rating, verified, photo_count) WHERE status = 2;
          CREATE INDEX review_published_rating_helpful
            ON review(product_id, rating, helpful_count, created_at, id, verified, photo_count) WHERE status = 2;
          """)
    }
  }
}
