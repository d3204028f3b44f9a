import Contracts
import Foundation

/// Replays, in memory, what the service does to one profile over its life: registration,
/// each purchase recorded when it was made (`CustomerFigures.addPurchase`, then
/// `ProfileRefresh`), and the lifecycle scan at each stage deadline up to `asOf`. The result
/// is the row, automatic tags, category spend and history the service would hold, computed
/// by the service's own rules (`LifecycleStage`, `ProfileFacts`, `TierRuleSet`, `AutoTags`).
///
/// RFM scores are left at 0: they depend on the whole store and are computed once at the end,
/// as the scan at `asOf` would (so tier rules that compare RFM are not replayed exactly; the
/// default rules do not).
struct BulkProfileTimeline {
  /// One recorded change of tier or stage (a `profile_change` row).
  struct Change: Equatable {
    var kind: Crm_Segmentation_V1_ProfileChange.Kind
    var at: Date
    var from: String
    var to: String
    var cause: String
  }

  /// The profile as the service would hold it at `asOf`.
  struct Outcome {
    var record: CustomerRecord
    /// Automatic tags (tag to the rule that gave it).
    var autoTags: [String: String]
    var categorySpend: [String: Int64]
    var history: [Change]
  }

  let rules: TierRuleSet
  let tagRules: AutoTags
  let policy: LifecyclePolicy
  let asOf: Date
  var windows = WindowStartCache()

  /// Replays `purchases` (validated, oldest first) over `record` as registered with
  /// `manualTags`.
  mutating func replay(record registered: CustomerRecord, manualTags: Set<String>, purchases: [NewPurchase])
    -> Outcome
  {
    var state = State(record: registered, manualTags: manualTags)
    refresh(&state, now: registered.createdAt, cause: "registered")
    var next = 0
    while true {
      let purchaseTime = next < purchases.count ? purchases[next].purchasedAt : nil
      if let deadline = state.record.stageDeadlineAt, deadline <= asOf,
        purchaseTime.map({ deadline < $0 }) ?? true
      {
        refresh(&state, now: deadline, cause: "lifecycle_scan")
        continue
      }
      guard let purchaseTime else { break }
      let purchase = purchases[next]
      state.recorded.append((purchase.purchasedAt, purchase.amountMinor))
      var record = state.record
      if record.currency.isEmpty { record.currency = purchase.currency }
      record.totalSpendMinor += purchase.amountMinor
      record.totalMarginMinor += purchase.marginMinor
      record.purchaseCount += 1
      record.firstPurchaseAt = min(record.firstPurchaseAt ?? purchaseTime, purchaseTime)
      record.lastPurchaseAt = max(record.lastPurchaseAt ?? purchaseTime, purchaseTime)
      record.lastActivityAt = max(record.lastActivityAt ?? purchaseTime, purchaseTime)
      for (category, delta) in purchase.categorySpend where delta != 0 {
        state.categorySpend[category, default: 0] += delta
      }
      record.updatedAt = purchaseTime
      state.record = record
      refresh(&state, now: purchaseTime, cause: "purchase")
      next += 1
    }
    let top = state.categorySpend.filter { $0.value > 0 }
      .sorted { ($1.value, $0.key) < ($0.value, $1.key) }
      .prefix(CategoryRanking.size).map(\.key)
    state.record.preferredCategories = CategoryRanking.encode(Array(top))
    return Outcome(
      record: state.record, autoTags: state.autoTags, categorySpend: state.categorySpend,
      history: state.history)
  }

  private struct State {
    var record: CustomerRecord
    var manualTags: Set<String>
    var autoTags: [String: String] = [:]
    var categorySpend: [String: Int64] = [:]
    var history: [Change] = []
    /// The purchases recorded so far: time and net amount.
    var recorded: [(at: Date, amount: Int64)] = []

    var tags: Set<String> { manualTags.union(autoTags.keys) }
  }

  /// `ProfileRefresh.apply` over the in-memory state.
  private mutating func refresh(_ state: inout State, now: Date, cause: String) {
    let before = state.record
    var updated = before
    let (stage, deadline) = LifecycleStage.at(
      now, createdAt: before.createdAt, firstPurchaseAt: before.firstPurchaseAt,
      lastActivityAt: before.lastActivityAt, policy: policy)
    updated.lifecycleStage = stage.rawValue
    updated.stageDeadlineAt = deadline
    let figures = windowFigures(state.recorded, now: now)
    var facts = ProfileFacts(record: updated, tags: state.tags, windows: figures, now: now)
    // AutoTags.sync: a manual tag of the same name stays manual; a kept automatic tag keeps
    // the rule that first gave it.
    var automatic: [String: String] = [:]
    for (tag, ruleID) in tagRules.wanted(facts) where !state.manualTags.contains(tag) {
      automatic[tag] = state.autoTags[tag] ?? ruleID
    }
    if automatic != state.autoTags {
      state.autoTags = automatic
      facts = ProfileFacts(record: updated, tags: state.tags, windows: figures, now: now)
    }
    let decision = rules.decide(facts)
    updated.tier = decision.tier
    updated.tierRuleID = decision.ruleID
    updated.tierReason = decision.reason
    guard updated != before else { return }
    state.record = updated
    if updated.lifecycleStage != before.lifecycleStage {
      state.history.append(Change(
        kind: .lifecycleStage, at: now, from: before.lifecycleStage, to: updated.lifecycleStage,
        cause: cause))
    }
    if updated.tier != before.tier {
      state.history.append(Change(
        kind: .tier, at: now, from: before.tier, to: updated.tier, cause: cause))
    }
  }

  /// `CustomerProfile.windowFigures` over the purchases recorded by `now` (none refunded).
  private mutating func windowFigures(_ recorded: [(at: Date, amount: Int64)], now: Date)
    -> (annualSpend: Int64, recentPurchases: Int64)
  {
    let (yearAgo, recentStart) = windows.starts(at: now)
    var annual: Int64 = 0
    var recent: Int64 = 0
    for purchase in recorded {
      if purchase.at > yearAgo { annual += purchase.amount }
      if purchase.at > recentStart { recent += 1 }
    }
    return (annual, recent)
  }
}

/// `CustomerProfile.windowStarts`, remembered per UTC day: the calendar arithmetic is the
/// costly part, and in UTC the start moves by exactly the time of day.
struct WindowStartCache {
  private var recentStartOfDay: [Int: Date] = [:]

  mutating func starts(at now: Date) -> (yearAgo: Date, recentStart: Date) {
    let seconds = now.timeIntervalSince1970
    let day = Int((seconds / 86_400).rounded(.down))
    let midnight = Date(timeIntervalSince1970: Double(day) * 86_400)
    let start: Date
    if let cached = recentStartOfDay[day] {
      start = cached
    } else {
      start = CustomerProfile.windowStarts(now: midnight).recentStart
      recentStartOfDay[day] = start
    }
    return (
      CustomerProfile.windowStarts(yearAgoOf: now),
      start.addingTimeInterval(now.timeIntervalSince(midnight))
    )
  }
}
