import Contracts
import Foundation
import GRDB

/// The SQL of one page of a product's published reviews. Each order walks its own partial
/// index (`review_published_newest/_rating/_helpful`, and `_rating` or `_rating_helpful` when a
/// rating is asked for) backwards from the cursor, so a page costs its size, not the product's
/// review count; the verified and photo filters are tested on the index entries
/// (`TrustStore+ListingIndexes.swift`).
struct ReviewListingQuery {
  var productID: String
  var sort: Crm_Trust_V1_ReviewSort
  var rating: Int
  var verifiedOnly: Bool
  var withPhotosOnly: Bool
  var after: ReviewCursor?
  var limit: Int

  /// The name the cursor carries, so a token of one order is refused by another.
  var listing: String { "product:\(productID):\(sort.rawValue):\(rating):\(verifiedOnly):\(withPhotosOnly)" }

  /// The column sorted on before time, if any.
  var keyColumn: String? {
    switch sort {
    case .rating: "rating"
    case .helpful: "helpful_count"
    default: nil
    }
  }

  var sql: (String, StatementArguments) {
    var sql = "SELECT * FROM review WHERE product_id = ? AND status = \(ReviewStatus.published)"
    var arguments: StatementArguments = [productID]
    if rating != 0 {
      sql += " AND rating = ?"
      arguments += [rating]
    }
    if verifiedOnly { sql += " AND verified = 1" }
    if withPhotosOnly { sql += " AND photo_count > 0" }
    if let after {
      if let keyColumn {
        sql += " AND (\(keyColumn) < ? OR (\(keyColumn) = ? AND (created_at < ? OR (created_at = ? AND id < ?))))"
        arguments += [after.key, after.key, after.createdAt, after.createdAt, after.reviewID]
      } else {
        sql += " AND (created_at < ? OR (created_at = ? AND id < ?))"
        arguments += [after.createdAt, after.createdAt, after.reviewID]
      }
    }
    if let keyColumn {
      sql += " ORDER BY \(keyColumn) DESC, created_at DESC, id DESC"
    } else {
      sql += " ORDER BY created_at DESC, id DESC"
    }
    sql += " LIMIT ?"
    arguments += [limit]
    return (sql, arguments)
  }

  func cursor(after row: Row) -> ReviewCursor {
    ReviewCursor(listing: listing, key: keyColumn.map { row[$0] as Int } ?? 0, createdAt: row["created_at"], reviewID: row["id"])
  }
}
