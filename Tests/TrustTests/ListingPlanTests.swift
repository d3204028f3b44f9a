import Contracts
import Foundation
import GRDB
import ServiceKit
import Testing

@testable import Trust

/// At a million reviews a product has tens of thousands: every page of every order and filter
/// must be a walk of one listing index, never a scan of `review` or a sort of the product's
/// reviews, and the summary a primary-key read.
@Suite("Trust: every listing and summary read is an index range")
struct ListingPlanTests {
  static let sorts: [Crm_Trust_V1_ReviewSort] = [.newest, .rating, .helpful]

  /// (rating, verified only, with photos only) as a caller may combine them.
  static let filters: [(Int, Bool, Bool)] = [
    (0, false, false), (4, false, false), (0, true, false), (0, false, true), (0, true, true), (2, true, true),
  ]

  static func plan(_ database: some DatabaseReader, _ sql: String, _ arguments: StatementArguments) throws -> [String] {
    try database.read { db in
      try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: arguments).map { $0["detail"] as String }
    }
  }

  /// The index a listing should walk: the rating-led ones when one rating is asked for.
  static func expectedIndex(sort: Crm_Trust_V1_ReviewSort, rating: Int) -> String {
    switch (sort, rating != 0) {
    case (.helpful, true): "review_published_rating_helpful"
    case (.helpful, false): "review_published_helpful"
    case (.rating, _), (_, true): "review_published_rating"
    default: "review_published_newest"
    }
  }

  @Test("first and later pages in each order and filter walk their listing index, with no sort", arguments: sorts)
  func pagesWalkAnIndex(sort: Crm_Trust_V1_ReviewSort) throws {
    let database = try StoreOpener.inMemory(migrator: TrustStore.migrator)
    for (rating, verified, photos) in Self.filters {
      for after in [nil, ReviewCursor(listing: "", key: 3, createdAt: "2026-01-01 00:00:00.000", reviewID: "r")] {
        let query = ReviewListingQuery(
          productID: "p-00000", sort: sort, rating: rating, verifiedOnly: verified, withPhotosOnly: photos,
          after: after, limit: 21)
        let (sql, arguments) = query.sql
        let plan = try Self.plan(database, sql, arguments)
        let index = Self.expectedIndex(sort: sort, rating: rating)
        let equality = rating != 0 ? "(product_id=? AND rating=?" : "(product_id=?"
        #expect(plan.count == 1, "\(plan)")
        #expect(plan.allSatisfy { $0.hasPrefix("SEARCH review USING INDEX \(index) \(equality)") }, "\(sql): \(plan)")
        #expect(!plan.contains { $0.contains("TEMP B-TREE") || $0.hasPrefix("SCAN") }, "\(plan)")
      }
    }
  }

  @Test("filters are tested on index entries: every listing index carries rating, verified and photo_count")
  func filtersAreInTheIndexes() throws {
    let database = try StoreOpener.inMemory(migrator: TrustStore.migrator)
    try database.read { db in
      let indexes = [
        "review_published_newest", "review_published_rating", "review_published_helpful",
        "review_published_rating_helpful",
      ]
      for index in indexes {
        let columns = try String.fetchAll(db, sql: "SELECT name FROM pragma_index_info(?)", arguments: [index])
        let needed: Set = ["product_id", "rating", "verified", "photo_count", "created_at", "id"]
        #expect(needed.isSubset(of: columns), "\(index)")
        let sql = try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE name = ?", arguments: [index]) ?? ""
        #expect(sql.hasSuffix("WHERE status = 2"), "\(index) is not partial on published reviews")
      }
    }
  }

  @Test("a summary reads two aggregate rows by primary key")
  func summaryIsAKeyRead() throws {
    let database = try StoreOpener.inMemory(migrator: TrustStore.migrator)
    // The statement `ReviewAggregates.summary` runs (`fetchOne(db, key:)`).
    let (sql, arguments) = try database.read { db in
      let statement = try ReviewAggregateRecord.filter(key: ["scope": "product", "subject_id": "p-00000"])
        .makePreparedRequest(db, forSingleResult: true).statement
      return (statement.sql, statement.arguments)
    }
    let plan = try Self.plan(database, sql, arguments)
    let keyRead = "SEARCH review_aggregate USING INDEX sqlite_autoindex_review_aggregate_1 (scope=? AND subject_id=?)"
    #expect(plan.count == 1 && plan[0].hasPrefix(keyRead), "\(plan)")
  }

  @Test("the review figures between two dates are index ranges; the published ones never read the table")
  func figuresUseIndexes() throws {
    let database = try StoreOpener.inMemory(migrator: TrustStore.migrator)
    let period: StatementArguments = [Date(timeIntervalSince1970: 0), Date()]
    let submitted = try Self.plan(database, TrustService.reviewsSubmittedSQL, period)
    #expect(submitted == ["SEARCH review USING COVERING INDEX review_by_created (created_at>? AND created_at<?)"])
    let published = try Self.plan(database, TrustService.reviewsPublishedSQL, period)
    #expect(
      published == ["SEARCH review USING COVERING INDEX review_published_figures (published_at>? AND published_at<?)"],
      "\(published)")
  }
}
