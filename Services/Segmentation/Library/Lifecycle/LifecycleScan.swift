import Foundation
import GRDB

/// Moves the profiles whose lifecycle window has passed: read from the stage-deadline index
/// (never the whole table), in short write transactions so reads and other writes go on.
struct LifecycleScan: Sendable {
  let database: any DatabaseWriter
  let policy: LifecyclePolicy
  /// Profiles re-staged per write transaction.
  var batchSize = 500

  /// Runs one pass at `now` and then recomputes the RFM quintiles; returns how many profiles
  /// changed stage.
  func run(now: Date) async throws -> Int64 {
    var changed: Int64 = 0
    while true {
      let (seen, moved) = try await database.write { db in
        let due = try CustomerRecord
          .filter(CustomerRecord.Columns.stageDeadlineAt <= now)
          .order(CustomerRecord.Columns.stageDeadlineAt)
          .limit(batchSize)
          .fetchAll(db)
        let rules = try TierRuleSet.load(db)
        let tagRules = try AutoTags.load(db)
        var moved: Int64 = 0
        for record in due {
          guard record.mergedInto == nil else {
            var redirect = record
            redirect.stageDeadlineAt = nil
            try redirect.update(db)
            continue
          }
          let updated = try ProfileRefresh.apply(
            db, record: record, now: now, policy: policy, cause: "lifecycle_scan", rules: rules,
            tagRules: tagRules)
          if updated.lifecycleStage != record.lifecycleStage { moved += 1 }
        }
        return (due.count, moved)
      }
      changed += moved
      if seen < batchSize { break }
    }
    try await RFMScores.recompute(database: database)
    return changed
  }
}
