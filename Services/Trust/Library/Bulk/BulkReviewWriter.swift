import Foundation
import GRDB
import ServiceKit

/// Writes generated reviews with prepared statements and sums up what the service keeps
/// precomputed: the pre-check flags (against the banned words of the store and the texts
/// written before) and the aggregates of the published reviews.
struct BulkReviewWriter {
  private let db: Database
  private let bannedWords: [String]
  private let insertReview: Statement
  private let insertVote: Statement
  private let insertReply: Statement
  /// Text fingerprints written so far, for the duplicate flag.
  private var fingerprints: Set<String> = []
  /// Aggregates by scope and subject, as `ReviewAggregates.add` would have left them.
  private var aggregates: [String: ReviewAggregateRecord] = [:]
  private(set) var summary = TrustBulkFill.Summary()

  init(_ db: Database, bannedWords: [String]) throws {
    self.db = db
    self.bannedWords = bannedWords
    insertReview = try db.makeStatement(
      sql: """
        INSERT INTO review (
          id, customer_id, product_id, rating, title, text, order_id, status, created_at,
          business_id, photo_refs, photo_count, verified, precheck_flags, rejection_reason,
          curated, featured, helpful_count, text_hash, updated_at, published_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """)
    insertVote = try db.makeStatement(
      sql: "INSERT INTO helpful_vote (review_id, customer_id, created_at) VALUES (?, ?, ?)")
    insertReply = try db.makeStatement(
      sql: "INSERT INTO review_reply (id, review_id, author, text, visibility, created_at) VALUES (?, ?, ?, ?, ?, ?)")
  }

  /// Writes one review with its votes and replies; returns the rows written.
  mutating func write(_ review: BulkReview) throws -> Int {
    let textHash = ReviewPrecheck.textHash(review.text)
    let duplicated = !textHash.isEmpty && !fingerprints.insert(textHash).inserted
    let flags = ReviewPrecheck.flags(
      title: review.title, text: review.text, bannedWords: bannedWords, duplicated: duplicated)
    try insertReview.execute(arguments: [
      review.id, review.customerID, review.productID, review.rating, review.title, review.text, review.orderID,
      review.status, StoreDateText.text(milliseconds: review.createdAt),
      review.businessID, review.photoRefs.joined(separator: "\n"), review.photoRefs.count, review.verified,
      flags.joined(separator: ","), review.rejectionReason, review.curated, review.featured, review.votes.count,
      textHash, StoreDateText.text(milliseconds: review.updatedAt),
      review.publishedAt.map { StoreDateText.text(milliseconds: $0) },
    ])
    for vote in review.votes {
      try insertVote.execute(arguments: [review.id, vote.customerID, StoreDateText.text(milliseconds: vote.at)])
    }
    for reply in review.replies {
      try insertReply.execute(arguments: [
        reply.id, review.id, reply.author, reply.text, reply.visibility, StoreDateText.text(milliseconds: reply.at),
      ])
    }
    summary.reviews += 1
    summary.votes += review.votes.count
    summary.replies += review.replies.count
    switch review.status {
    case ReviewStatus.published:
      summary.published += 1
      count(review, scope: ReviewAggregates.product, subject: review.productID)
      count(review, scope: ReviewAggregates.all, subject: "")
      if !review.businessID.isEmpty { count(review, scope: ReviewAggregates.business, subject: review.businessID) }
    case ReviewStatus.pending: summary.pending += 1
    default: summary.rejected += 1
    }
    return 1 + review.votes.count + review.replies.count
  }

  /// Writes the aggregate rows, one per product and business with a published review, and
  /// the site-wide one.
  mutating func writeAggregates() throws {
    for key in aggregates.keys.sorted() {
      try aggregates[key]!.insert(db)
    }
    summary.aggregates = aggregates.count
  }

  private mutating func count(_ review: BulkReview, scope: String, subject: String) {
    let key = "\(scope)/\(subject)"
    var row = aggregates[key] ?? .empty(scope: scope, subjectID: subject)
    row.reviewCount += 1
    row.ratingSum += review.rating
    if review.verified { row.verifiedCount += 1 }
    switch review.rating {
    case 1: row.rating1 += 1
    case 2: row.rating2 += 1
    case 3: row.rating3 += 1
    case 4: row.rating4 += 1
    default: row.rating5 += 1
    }
    aggregates[key] = row
  }
}
