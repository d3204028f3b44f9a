import GRDB

/// RFM scores, 1 to 5 each by quintiles over the store's buyers: recency (a later last
/// purchase scores higher), frequency (purchases) and monetary (net spend). Ties share a score.
enum RFMScores {
  /// The scores of every scored profile (live, not erased, with a purchase) whose stored
  /// scores differ: `id, r, f, m`.
  static let changedScoresSQL = """
    SELECT s.id, s.r, s.f, s.m FROM (
      SELECT id, rfm_recency, rfm_frequency, rfm_monetary,
        MIN(5, 1 + CAST(PERCENT_RANK() OVER (ORDER BY last_purchase_at) * 5 AS INTEGER)) AS r,
        MIN(5, 1 + CAST(PERCENT_RANK() OVER (ORDER BY purchase_count) * 5 AS INTEGER)) AS f,
        MIN(5, 1 + CAST(PERCENT_RANK() OVER (ORDER BY total_spend_minor) * 5 AS INTEGER)) AS m
      FROM customer
      WHERE merged_into IS NULL AND erased_at IS NULL AND purchase_count > 0
    ) AS s
    WHERE s.rfm_recency != s.r OR s.rfm_frequency != s.f OR s.rfm_monetary != s.m
    """

  /// Recomputes every score in one statement, inside the caller's write (a store nothing else
  /// writes to, such as a bulk fill's).
  static func recompute(_ db: Database) throws {
    try db.execute(
      sql: """
        UPDATE customer SET rfm_recency = c.r, rfm_frequency = c.f, rfm_monetary = c.m
        FROM (\(changedScoresSQL)) AS c
        WHERE customer.id = c.id
        """)
  }

  /// Recomputes every score without holding the write lock for the pass over the store: the
  /// quintiles are ranked in a read (a snapshot, which blocks no one), and only the scores
  /// that changed are written, `chunk` profiles per short write transaction. A profile that
  /// was merged or erased in between is left alone.
  static func recompute(database: any DatabaseWriter, chunk: Int = 2_000) async throws {
    let changed = try await database.read { db in
      try Row.fetchAll(db, sql: changedScoresSQL).map {
        ($0[0] as String, $0[1] as Int, $0[2] as Int, $0[3] as Int)
      }
    }
    var start = 0
    while start < changed.count {
      let slice = changed[start..<min(changed.count, start + chunk)]
      try await database.write { db in
        let update = try db.makeStatement(
          sql: """
            UPDATE customer SET rfm_recency = ?, rfm_frequency = ?, rfm_monetary = ?
            WHERE id = ? AND merged_into IS NULL AND erased_at IS NULL
            """)
        for (id, r, f, m) in slice {
          try update.execute(arguments: [r, f, m, id])
        }
      }
      start += chunk
    }
  }
}
