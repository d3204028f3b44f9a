import Contracts
import Foundation
import GRDB

/// Retention over a period and the average lifetime value, for `GetTierReport` (the "effect
/// evaluation" figures of DOMAIN.md: repeat business and what a customer is worth).
enum CustomerRetention {
  /// The figures, read in `db`.
  ///
  /// The customers at the start are the profiles whose first purchase came before `from`;
  /// each is probed for a purchase in [from, to) through `purchase_by_customer_time`, so the
  /// cost is one index probe per customer, not a pass over the purchases.
  static func figures(_ db: Database, from: Date, to: Date) throws -> (
    atStart: Int64, retained: Int64, buying: Int64, averageValue: Crm_Common_V1_Money?
  ) {
    let retention = try Row.fetchOne(
      db,
      sql: """
        SELECT COUNT(*) AS at_start,
               COALESCE(SUM(EXISTS (
                 SELECT 1 FROM purchase p
                 WHERE p.customer_id = c.id AND p.purchased_at >= ? AND p.purchased_at < ?)), 0)
                 AS retained
        FROM customer c
        WHERE c.merged_into IS NULL AND c.first_purchase_at IS NOT NULL AND c.first_purchase_at < ?
        """,
      arguments: [from, to, from])!
    // Lifetime value is kept in each profile's currency: the average is over the currency
    // most customers buy in, so that amounts of different currencies are never added.
    let value = try Row.fetchAll(
      db,
      sql: """
        SELECT currency, COUNT(*) AS customers, SUM(total_margin_minor) AS margin
        FROM customer
        WHERE merged_into IS NULL AND purchase_count > 0 AND currency <> ''
        GROUP BY currency ORDER BY customers DESC, currency
        """)
    let buying = value.reduce(Int64(0)) { $0 + ($1["customers"] as Int64) }
    let average = value.first.map { row -> Crm_Common_V1_Money in
      let customers: Int64 = row["customers"]
      let margin: Int64 = row["margin"]
      return .with {
        $0.currency = row["currency"]
        $0.amountMinor = customers > 0 ? margin / customers : 0
      }
    }
    return (retention["at_start"], retention["retained"], buying, average)
  }
}
