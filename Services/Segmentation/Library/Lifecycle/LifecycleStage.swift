import Foundation

/// Where a profile is in its lifecycle: new, active, dormant or churned.
enum LifecycleStage: String, CaseIterable {
  case new, active, dormant, churned

  /// The stage at `now`, and the time it would next change if nothing else happened.
  ///
  /// Inactivity is measured from the last activity, or from registration before any: a
  /// profile registered and never heard of again drifts to dormant and churned too. A profile
  /// is new until its first purchase is `newWindow` old.
  static func at(
    _ now: Date, createdAt: Date, firstPurchaseAt: Date?, lastActivityAt: Date?,
    policy: LifecyclePolicy
  ) -> (stage: LifecycleStage, deadline: Date?) {
    let reference = max(lastActivityAt ?? createdAt, createdAt)
    let dormantAt = reference.addingTimeInterval(policy.dormantAfter)
    let churnedAt = reference.addingTimeInterval(policy.churnedAfter)
    if now >= churnedAt { return (.churned, nil) }
    if now >= dormantAt { return (.dormant, churnedAt) }
    guard let firstPurchaseAt else { return (.new, dormantAt) }
    let newUntil = firstPurchaseAt.addingTimeInterval(policy.newWindow)
    if now < newUntil { return (.new, min(newUntil, dormantAt)) }
    return (.active, dormantAt)
  }
}
