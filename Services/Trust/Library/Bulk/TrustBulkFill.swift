import Foundation
import GRDB
import ServiceKit

/// Writes a large, realistic review history straight into an empty trust store, exactly as the
/// service would have left it: reviews (published, a few pending or rejected), their helpful
/// votes and replies, and the precomputed aggregates per product, per business and site-wide.
///
/// For benchmarks (`crm-bench trust fill`): millions of reviews through the public RPCs would
/// take hours. The store must be opened with ``TrustStore/migrator`` and the service must not be
/// running. Reviews are skewed across products (``reviewVolumes(reviews:products:customers:)``:
/// product 0 has the most), ratings are J-shaped with a per-product tilt, about three in four
/// are verified, one in seven has photos, and they spread over ``historyDays`` before
/// ``asOf`` with more of them recently. Deterministic for a given seed and `asOf`.
///
/// Not written: the outbox events these reviews once sent (long delivered; a pending outbox
/// would replay them to feedback and segmentation), idempotency records, claims, credentials.
public struct TrustBulkFill: Sendable {
  /// Reviews to write.
  public var reviews: Int
  /// Products reviewed; product n is `productID(n)`.
  public var products: Int
  /// Customers who write and vote; customer n is `customerID(n)`.
  public var customers: Int
  /// Businesses selling the products; product n belongs to business `n % businesses`.
  public var businesses: Int
  /// Seed of the generator.
  public var seed: UInt64
  /// The end of the history: the newest review is just before it.
  public var asOf: Date
  /// Days of history before `asOf`.
  public var historyDays: Int
  /// Rows (reviews, votes, replies) per transaction.
  public var rowsPerTransaction: Int
  /// The id of product n.
  public var productID: @Sendable (Int) -> String
  /// The id of customer n.
  public var customerID: @Sendable (Int) -> String
  /// The id of business n.
  public var businessID: @Sendable (Int) -> String

  /// A fill of the size (1,000,000 reviews over 10,000 products by 1,000,000 customers,
  /// 100 businesses, two years of history) with the given ids.
  public init(
    asOf: Date, productID: @escaping @Sendable (Int) -> String, customerID: @escaping @Sendable (Int) -> String,
    businessID: @escaping @Sendable (Int) -> String = { "shop-" + BulkIDs.padded($0, 3) }
  ) {
    self.reviews = 1_000_000
    self.products = 10_000
    self.customers = 1_000_000
    self.businesses = 100
    self.seed = 1
    self.asOf = asOf
    self.historyDays = 730
    self.rowsPerTransaction = 50_000
    self.productID = productID
    self.customerID = customerID
    self.businessID = businessID
  }

  /// What the fill wrote.
  public struct Summary: Sendable, Equatable {
    /// Review rows, by status.
    public var reviews = 0
    /// Published reviews (the ones aggregates count and listings show).
    public var published = 0
    /// Reviews waiting for moderation (recent ones).
    public var pending = 0
    /// Reviews a moderator rejected.
    public var rejected = 0
    /// Helpful-vote rows.
    public var votes = 0
    /// Reply rows (public and private).
    public var replies = 0
    /// Aggregate rows (products, businesses and the site-wide one).
    public var aggregates = 0
    /// The most reviews of one product (product 0's).
    public var largestProductReviews = 0
  }

  /// Progress after each committed transaction.
  public struct Progress: Sendable {
    /// Reviews written so far.
    public var reviews: Int
    /// All rows (reviews, votes, replies) written so far.
    public var rows: Int
    /// Products done.
    public var products: Int
  }

  /// A fill that cannot run as asked.
  public struct FillError: Error, CustomStringConvertible {
    /// What is wrong.
    public var description: String
  }

  /// Writes the history; throws ``FillError`` when the counts cannot work or the store already
  /// holds reviews.
  public func run(
    into database: any DatabaseWriter, progress: @escaping @Sendable (Progress) -> Void = { _ in }
  ) async throws -> Summary {
    guard products > 0, customers > 1, businesses > 0, historyDays > 0, rowsPerTransaction > 0, reviews >= 0 else {
      throw FillError(description: "products, businesses, history and batch must be positive, customers above 1")
    }
    guard reviews <= products * customers else {
      throw FillError(description: "\(reviews) reviews need more than \(products) products x \(customers) customers")
    }
    let volumes = Self.reviewVolumes(reviews: reviews, products: products, customers: customers)
    return try await database.writeWithoutTransaction { db in
      guard try !(Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM review)") ?? false) else {
        throw FillError(description: "the store already holds reviews; fill an empty one")
      }
      // Random index inserts over a million rows want their pages in memory (this connection only).
      try db.execute(sql: "PRAGMA cache_size = -262144")
      var writer = try BulkReviewWriter(db, bannedWords: String.fetchAll(db, sql: "SELECT word FROM banned_word"))
      var rows = 0
      var rowsSinceCommit = 0
      try db.beginTransaction()
      do {
        for product in 0..<products where volumes[product] > 0 {
          var random = SplitMix64(seed: seed, stream: UInt64(product))
          let plan = ProductPlan(fill: self, product: product, random: &random)
          for index in 0..<volumes[product] {
            let written = try writer.write(plan.review(index, random: &random))
            rows += written
            rowsSinceCommit += written
          }
          if rowsSinceCommit >= rowsPerTransaction {
            try db.commit()
            progress(Progress(reviews: writer.summary.reviews, rows: rows, products: product + 1))
            try db.beginTransaction()
            rowsSinceCommit = 0
          }
        }
        try writer.writeAggregates()
        try db.commit()
      } catch {
        if db.isInsideTransaction { try? db.rollback() }
        throw error
      }
      progress(Progress(reviews: writer.summary.reviews, rows: rows, products: products))
      var summary = writer.summary
      summary.largestProductReviews = volumes.max() ?? 0
      return summary
    }
  }

}
