import Foundation
import GRDB

extension ReviewAggregates {
  /// Every aggregate row as a count from scratch of the published reviews gives it: one per
  /// product and per business with a published review, and the site-wide row.
  static func recounted(_ db: Database) throws -> [ReviewAggregateRecord] {
    let figures = """
      COUNT(*) AS review_count, SUM(rating) AS rating_sum, SUM(verified) AS verified_count,
      SUM(rating = 1) AS rating_1, SUM(rating = 2) AS rating_2, SUM(rating = 3) AS rating_3,
      SUM(rating = 4) AS rating_4, SUM(rating = 5) AS rating_5
      """
    let published = "FROM review WHERE status = \(ReviewStatus.published)"
    return try ReviewAggregateRecord.fetchAll(
      db,
      sql: """
        SELECT '\(product)' AS scope, product_id AS subject_id, \(figures) \(published) GROUP BY product_id
        UNION ALL
        SELECT '\(business)', business_id, \(figures) \(published) AND business_id != '' GROUP BY business_id
        UNION ALL
        SELECT '\(all)', '', \(figures) \(published) HAVING COUNT(*) > 0
        """)
  }

  /// The subjects whose stored row differs from a recount, as `scope/subject` with both
  /// versions; a stored row of zeros stands for no published review (a delete leaves one).
  static func discrepancies(_ db: Database) throws -> [String] {
    let stored = try ReviewAggregateRecord.fetchAll(db)
      .filter { $0 != .empty(scope: $0.scope, subjectID: $0.subjectID) }
    var expected = Dictionary(uniqueKeysWithValues: try recounted(db).map { ("\($0.scope)/\($0.subjectID)", $0) })
    var found: [String] = []
    for row in stored {
      let key = "\(row.scope)/\(row.subjectID)"
      let recount = expected.removeValue(forKey: key)
      if recount != row { found.append("\(key): stored \(row), recounted \(recount.map { "\($0)" } ?? "none")") }
    }
    found += expected.map { "\($0.key): stored none, recounted \($0.value)" }
    return found.sorted()
  }
}

extension TrustStore {
  /// Recounts every review aggregate (per product, per business and site-wide) from the
  /// published reviews in one read, and describes each stored row that differs; empty when the
  /// precomputed rows are right. Reads every published review: a check for operators and bulk
  /// fills, not for a request path.
  public func aggregateDiscrepancies() async throws -> [String] {
    try await database.read { db in try ReviewAggregates.discrepancies(db) }
  }
}
