import GRDB

/// RFM scores, 1 to 5 each by quintiles over the store's buyers: recency (a later last
/// purchase scores higher), frequency (purchases) and monetary (net spend). Ties share a score.
enum RFMScores {
  static func recompute(_ db: Database) throws {
    try db.execute(
      sql: """
        UPDATE customer SET rfm_recency = s.r, rfm_frequency = s.f, rfm_monetary = s.m
        FROM (
          SELECT id,
            MIN(5, 1 + CAST(PERCENT_RANK() OVER (ORDER BY last_purchase_at) * 5 AS INTEGER)) AS r,
            MIN(5, 1 + CAST(PERCENT_RANK() OVER (ORDER BY purchase_count) * 5 AS INTEGER)) AS f,
            MIN(5, 1 + CAST(PERCENT_RANK() OVER (ORDER BY total_spend_minor) * 5 AS INTEGER)) AS m
          FROM customer
          WHERE merged_into IS NULL AND erased_at IS NULL AND purchase_count > 0
        ) AS s
        WHERE customer.id = s.id
          AND (rfm_recency != s.r OR rfm_frequency != s.f OR rfm_monetary != s.m)
        """)
  }
}
