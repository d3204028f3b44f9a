import Contracts
import Foundation
import GRDB

/// Keeps `review_aggregate` equal to the sum of the published reviews: every change of what
/// is published calls ``add(_:review:sign:)`` in the same transaction, so a summary is one row
/// read, never a scan.
enum ReviewAggregates {
  static let product = "product"
  static let business = "business"
  static let all = "all"

  /// Adds (`sign` 1) or takes away (`sign` -1) a published review from its product's, its
  /// business's and the site-wide row.
  static func add(_ db: Database, review: ReviewRecord, sign: Int) throws {
    var subjects = [(product, review.productID), (all, "")]
    if !review.businessID.isEmpty { subjects.append((business, review.businessID)) }
    let ratingColumn = "rating_\(review.rating)"
    for (scope, subject) in subjects {
      try db.execute(
        sql: """
          INSERT INTO review_aggregate
            (scope, subject_id, review_count, rating_sum, verified_count, rating_1, rating_2, rating_3, rating_4, rating_5)
          VALUES (?, ?, 0, 0, 0, 0, 0, 0, 0, 0)
          ON CONFLICT (scope, subject_id) DO NOTHING
          """, arguments: [scope, subject])
      try db.execute(
        sql: """
          UPDATE review_aggregate SET
            review_count = review_count + ?, rating_sum = rating_sum + ?,
            verified_count = verified_count + ?, \(ratingColumn) = \(ratingColumn) + ?
          WHERE scope = ? AND subject_id = ?
          """,
        arguments: [sign, sign * review.rating, review.verified ? sign : 0, sign, scope, subject])
    }
  }

  /// The summary of one product or business, with the Bayesian average pulled toward the
  /// site-wide mean by `priorWeight` reviews.
  /// One aggregate row by its key, through a cached statement: a summary is the hottest read,
  /// and generating and compiling a keyed query each time cost more than the lookup itself.
  static func aggregate(_ db: Database, scope: String, subjectID: String) throws -> ReviewAggregateRecord? {
    try ReviewAggregateRecord.fetchOne(
      db.cachedStatement(sql: "SELECT * FROM review_aggregate WHERE scope = ? AND subject_id = ?"),
      arguments: [scope, subjectID])
  }

  static func summary(_ db: Database, scope: String, subjectID: String, priorWeight: Double) throws
    -> Crm_Trust_V1_ReviewSummary
  {
    let row = try aggregate(db, scope: scope, subjectID: subjectID) ?? .empty(scope: scope, subjectID: subjectID)
    let site = try aggregate(db, scope: all, subjectID: "") ?? .empty(scope: all, subjectID: "")
    let priorMean = site.reviewCount == 0 ? 0 : Double(site.ratingSum) / Double(site.reviewCount)
    return .with {
      $0.reviewCount = Int64(row.reviewCount)
      $0.averageRating = row.reviewCount == 0 ? 0 : Double(row.ratingSum) / Double(row.reviewCount)
      $0.ratingDistribution = row.distribution.map(Int64.init)
      $0.verifiedShare = row.reviewCount == 0 ? 0 : Double(row.verifiedCount) / Double(row.reviewCount)
      let weight = priorWeight + Double(row.reviewCount)
      $0.bayesianAverage = weight == 0 ? 0 : (priorWeight * priorMean + Double(row.ratingSum)) / weight
    }
  }
}
