import Foundation
import GRDB

/// Where a care task lands once the customer's contact rules are applied: opt-outs suppress
/// it, frequency caps postpone it past the last touch on the channel, quiet hours hold it to
/// the next allowed local time. Transactional messages pass untouched.
///
/// Caps count local calendar days in the customer's time zone: a weekly cap allows one
/// non-transactional touch per channel in any 7 consecutive local days.
struct ContactSchedule {
  /// The outcome for one task.
  struct Placement: Equatable {
    var dueAt: Date
    var suppressed: Bool
    /// `cap`, `quiet_hours` or `opt_out`; nil when the planned time stands.
    var deferralKind: String?
    var reason: String
  }

  let zone: TimeZone
  let policy: ContactPolicyRecord?

  private var policyTier: String { policy?.tier ?? "" }

  /// The policy of `tier` on `channel`: (tier, channel), (tier, any); for a customer at the
  /// `new` stage without a tier policy the `new` policy; then ("", channel), ("", any).
  static func policy(
    _ db: Database, tier: String, lifecycleStage: String, channel: Int
  ) throws -> ContactPolicyRecord? {
    var tiers: [String] = []
    if !tier.isEmpty { tiers.append(tier) }
    if lifecycleStage == "new" { tiers.append("new") }
    tiers.append("")
    // Every task placement asks this several times: one compiled statement, not one per ask.
    let statement = try db.cachedStatement(sql: "SELECT * FROM contact_policy WHERE tier = ? AND channel = ?")
    for candidate in tiers {
      for ch in [channel, 0] {
        if let policy = try ContactPolicyRecord.fetchOne(statement, arguments: [candidate, ch]) {
          return policy
        }
      }
    }
    return nil
  }

  /// Places a task of `customerID` planned at `planned` on `channel`.
  func place(
    _ db: Database, customerID: String, channel: Int, planned: Date, transactional: Bool, optedOut: Bool,
    channelName: String
  ) throws -> Placement {
    if optedOut {
      return Placement(dueAt: planned, suppressed: true, deferralKind: "opt_out", reason: "customer opted out of \(channelName)")
    }
    guard !transactional, let policy else {
      return Placement(dueAt: planned, suppressed: false, deferralKind: nil, reason: "")
    }
    var due = planned
    var kind: String?
    var reasons: [String] = []
    // Each pass moves the time forward; a handful of passes settles any real schedule.
    for _ in 0..<64 {
      let quiet = holdForQuietHours(due, policy: policy)
      if quiet != due {
        due = quiet
        if kind == nil { kind = "quiet_hours" }
        if !reasons.contains(where: { $0.hasPrefix("quiet") }) {
          reasons.append("quiet hours \(Self.clock(policy.quietStartMinute))-\(Self.clock(policy.quietEndMinute)) local")
        }
      }
      guard let clash = try latestClash(db, customerID: customerID, channel: channel, at: due, capDays: policy.capDays)
      else { break }
      let moved = sameLocalTime(as: due, onDay: clash + policy.capDays)
      due = moved
      kind = "cap"
      if !reasons.contains(where: { $0.hasPrefix("frequency cap") }) {
        let tierName = policyTier.isEmpty ? "any tier" : "tier \(policyTier)"
        reasons.append("frequency cap: one \(channelName) touch per \(policy.capDays) days for \(tierName)")
      }
    }
    return Placement(dueAt: due, suppressed: false, deferralKind: kind, reason: reasons.joined(separator: "; "))
  }

  /// The latest local day, within `capDays` of `date`'s local day, of another capped touch on
  /// the channel (open or done, not transactional).
  private func latestClash(_ db: Database, customerID: String, channel: Int, at date: Date, capDays: Int) throws -> Int? {
    let window = TimeInterval(capDays + 1) * 86_400
    let dues = try Date.fetchAll(
      db.cachedStatement(
        sql: """
        SELECT due_at FROM care_task
        WHERE customer_id = ? AND channel = ? AND transactional = 0 AND status IN (1, 2)
          AND due_at > ? AND due_at < ?
        """),
      arguments: [customerID, channel, date.addingTimeInterval(-window), date.addingTimeInterval(window)])
    let day = localDay(date)
    return dues.map(localDay).filter { abs($0 - day) < capDays }.max()
  }

  /// Days since 1970-01-01 in the customer's zone.
  func localDay(_ date: Date) -> Int {
    Int(((date.timeIntervalSince1970 + Double(zone.secondsFromGMT(for: date))) / 86_400).rounded(.down))
  }

  private func localSecondOfDay(_ date: Date) -> Int {
    let local = Int((date.timeIntervalSince1970 + Double(zone.secondsFromGMT(for: date))).rounded(.down))
    return ((local % 86_400) + 86_400) % 86_400
  }

  /// The instant of local day `day` at local second-of-day `second`.
  private func instant(day: Int, second: Int) -> Date {
    let localSeconds = TimeInterval(day) * 86_400 + TimeInterval(second)
    let guess = Date(timeIntervalSince1970: localSeconds - Double(zone.secondsFromGMT()))
    return Date(timeIntervalSince1970: localSeconds - Double(zone.secondsFromGMT(for: guess)))
  }

  private func sameLocalTime(as date: Date, onDay day: Int) -> Date {
    instant(day: day, second: localSecondOfDay(date))
  }

  /// `date`, or the end of the quiet hours it falls in.
  func holdForQuietHours(_ date: Date, policy: ContactPolicyRecord) -> Date {
    let start = policy.quietStartMinute * 60, end = policy.quietEndMinute * 60
    guard start != end else { return date }
    let second = localSecondOfDay(date)
    let day = localDay(date)
    if start < end {
      return (start..<end).contains(second) ? instant(day: day, second: end) : date
    }
    // The window wraps midnight (e.g. 21:00 to 08:00).
    if second >= start { return instant(day: day + 1, second: end) }
    if second < end { return instant(day: day, second: end) }
    return date
  }

  private static func clock(_ minute: Int) -> String {
    String(format: "%02d:%02d", minute / 60, minute % 60)
  }
}
