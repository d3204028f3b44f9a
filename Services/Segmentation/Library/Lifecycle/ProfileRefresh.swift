import Contracts
import Foundation
import GRDB
import ServiceKit

/// Re-derives what a profile's attributes decide (lifecycle stage, tier) inside the write
/// that changed them, so a profile is never read with a stale stage or tier; each change is
/// recorded in the history with its cause, and a stage change is told to the other services
/// in the same transaction.
enum ProfileRefresh {
  @discardableResult
  static func apply(
    _ db: Database, record: CustomerRecord, now: Date, policy: LifecyclePolicy, cause: String,
    rules: TierRuleSet? = nil, tagRules: AutoTags? = nil
  ) throws -> CustomerRecord {
    guard record.mergedInto == nil, record.erasedAt == nil else { return record }
    var updated = record
    let (stage, deadline) = LifecycleStage.at(
      now, createdAt: record.createdAt, firstPurchaseAt: record.firstPurchaseAt,
      lastActivityAt: record.lastActivityAt, policy: policy)
    updated.lifecycleStage = stage.rawValue
    updated.stageDeadlineAt = deadline
    var facts = try ProfileFacts.read(db, record: updated, now: now)
    // Automatic tags first: tier rules may compare tags.
    if try (tagRules ?? AutoTags.load(db)).sync(db, customerID: record.id, facts: facts) {
      facts = try ProfileFacts.read(db, record: updated, now: now)
    }
    let decision = try (rules ?? TierRuleSet.load(db)).decide(facts)
    updated.tier = decision.tier
    updated.tierRuleID = decision.ruleID
    updated.tierReason = decision.reason
    guard updated != record else { return record }
    try updated.update(db)

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
