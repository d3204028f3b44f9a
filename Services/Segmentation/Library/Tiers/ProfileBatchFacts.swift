import Foundation
import GRDB

/// The facts of a run of profiles read in two range queries instead of three per profile:
/// the jobs that walk every profile by id (re-tier, dry run) read a batch's tags and window
/// figures at once, from the same indexes the single reads use.
enum ProfileBatchFacts {
  /// What `ProfileFacts.read` would read of one profile.
  struct Inputs {
    var tags: Set<String> = []
    /// The tags given by tag rules (`rule_id` set), which `AutoTags.sync` may take away.
    var automaticTags: [String] = []
    var windows: (annualSpend: Int64, recentPurchases: Int64) = (0, 0)
  }

  /// The inputs of every profile whose id is in `first...last`, at `now`; a profile without
  /// tags or purchases is absent (its inputs are the empty ones).
  static func read(_ db: Database, first: String, last: String, now: Date) throws
    -> [String: Inputs]
  {
    var inputs: [String: Inputs] = [:]
    let tags = try Row.fetchCursor(
      db,
      sql: "SELECT customer_id, tag, rule_id FROM customer_tag WHERE customer_id BETWEEN ? AND ?",
      arguments: [first, last])
    while let row = try tags.next() {
      let id: String = row[0]
      let tag: String = row[1]
      inputs[id, default: Inputs()].tags.insert(tag)
      if !(row[2] as String).isEmpty { inputs[id, default: Inputs()].automaticTags.append(tag) }
    }
    // The same sums as CustomerProfile.windowFigures, grouped, over the covering index.
    let (yearAgo, recentStart) = CustomerProfile.windowStarts(now: now)
    let windows = try Row.fetchCursor(
      db,
      sql: """
        SELECT customer_id,
          COALESCE(SUM(CASE WHEN purchased_at > ?1 THEN amount_minor - refunded_minor END), 0),
          COUNT(CASE WHEN purchased_at > ?2
            AND (refunded_minor < amount_minor OR amount_minor = 0) THEN 1 END)
        FROM purchase
        WHERE customer_id BETWEEN ?3 AND ?4 AND purchased_at > MIN(?1, ?2)
        GROUP BY customer_id
        """,
      arguments: [yearAgo, recentStart, first, last])
    while let row = try windows.next() {
      inputs[row[0] as String, default: Inputs()].windows = (row[1], row[2])
    }
    return inputs
  }
}
