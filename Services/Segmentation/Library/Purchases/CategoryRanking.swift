import Foundation
import GRDB

/// Preferred categories: the top categories by net spend, kept in the customer row so a read
/// is one row, recomputed from `customer_category_spend` whenever a write moves spend.
enum CategoryRanking {
  static let size = 3

  /// Adds `deltas` to the profile's spend per category.
  static func add(_ db: Database, customerID: String, deltas: [String: Int64]) throws {
    for (category, delta) in deltas where delta != 0 {
      try db.cachedStatement(
        sql: """
          INSERT INTO customer_category_spend (customer_id, category, spend_minor) VALUES (?, ?, ?)
          ON CONFLICT (customer_id, category) DO UPDATE SET spend_minor = spend_minor + excluded.spend_minor
          """
      ).execute(arguments: [customerID, category, delta])
    }
  }

  /// The JSON column value of the profile's current top categories.
  static func current(_ db: Database, customerID: String) throws -> String {
    let top = try String.fetchAll(
      db.cachedStatement(
        sql: """
          SELECT category FROM customer_category_spend WHERE customer_id = ? AND spend_minor > 0
          ORDER BY spend_minor DESC, category LIMIT \(size)
          """),
      arguments: [customerID])
    return encode(top)
  }

  static func encode(_ categories: [String]) -> String {
    guard let data = try? JSONEncoder().encode(categories) else { return "[]" }
    return String(decoding: data, as: UTF8.self)
  }

  static func decode(_ column: String) -> [String] {
    (try? JSONDecoder().decode([String].self, from: Data(column.utf8))) ?? []
  }
}
