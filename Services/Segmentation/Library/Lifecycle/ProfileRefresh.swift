import Contracts
import Foundation
import GRDB
import ServiceKit

/// Re-derives what a profile's attributes decide (lifecycle stage, tier) inside the write
/// that changed them, so a profile is never read with a stale stage or tier; each change is
/// recorded in the history with its cause, and a stage change is told to the other services
/// in the same transaction.
enum ProfileRefresh {
  /// `known` is what a batch already read of the profile at `now` (its tags and window
  /// figures); nil reads them here.
  @discardableResult
  static func apply(
    _ db: Database, record: CustomerRecord, now: Date, policy: LifecyclePolicy, cause: String,
    rules: TierRuleSet? = nil, tagRules: AutoTags? = nil, known: ProfileBatchFacts.Inputs? = nil
  ) throws -> CustomerRecord {
    guard record.mergedInto == nil, record.erasedAt == nil else { return record }
    var updated = record
    let (stage, deadline) = LifecycleStage.at(
      now, createdAt: record.createdAt, firstPurchaseAt: record.firstPurchaseAt,
      lastActivityAt: record.lastActivityAt, policy: policy)
    updated.lifecycleStage = stage.rawValue
    updated.stageDeadlineAt = deadline
    var facts =
      try known.map { ProfileFacts(record: updated, tags: $0.tags, windows: $0.windows, now: now) }
      ?? ProfileFacts.read(db, record: updated, now: now)
    // Automatic tags first: tier rules may compare tags.
    if try (tagRules ?? AutoTags.load(db)).sync(
      db, customerID: record.id, facts: facts, current: known?.automaticTags)
    {
      facts = try ProfileFacts.read(db, record: updated, now: now)
    }
    let decision = try (rules ?? TierRuleSet.load(db)).decide(facts)
    updated.tier = decision.tier
    updated.tierRuleID = decision.ruleID
    updated.tierReason = decision.reason
    guard updated != record else { return record }
    // Only the changed columns: SQLite rewrites every index over a column the UPDATE sets, and
    // a re-tier that moves a tier should touch the tier index, not all nine.
    try updated.updateChanges(db, from: record)

    if updated.lifecycleStage != record.lifecycleStage {
      try ProfileHistory.record(
        db, customerID: record.id, kind: .lifecycleStage, from: record.lifecycleStage,
        to: updated.lifecycleStage, cause: cause, at: now)
      // A profile's first stage is its registration (told as CustomerRegistered), not a move.
      if !record.lifecycleStage.isEmpty {
        try SegmentationEvents.stageChanged(
          db, customerID: record.id, from: record.lifecycleStage, to: updated.lifecycleStage,
          now: now)
      }
    }
    if updated.tier != record.tier {
      try ProfileHistory.record(
        db, customerID: record.id, kind: .tier, from: record.tier, to: updated.tier, cause: cause,
        at: now)
    }
    return updated
  }
}
