import Foundation
import GRDB

/// A row of `plan`: one long-term plan (an annual membership or a B2B framework agreement).
/// Its state is not stored: it follows from the clock, the term and the cancel time.
struct PlanRecord: Codable, Hashable, FetchableRecord, PersistableRecord {
  static let databaseTableName = "plan"

  var planID: String
  var customerID: String
  /// The `PlanKind` raw value.
  var kind: Int
  /// Discount in basis points, 0 to 10000.
  var discountBps: Int
  var startAt: Date
  /// The end of the last term written (by creation or renewals).
  var endAt: Date
  /// The length of one term (the first term's, which each renewal adds again): whole months
  /// in UTC, so an annual plan keeps its date across leap years, then the seconds left over.
  var termMonths: Int
  var termSeconds: Int64
  var autoRenew: Bool
  var renewals: Int
  var createdAt: Date
  var cancelledAt: Date?

  enum CodingKeys: String, CodingKey {
    case kind, renewals
    case planID = "plan_id"
    case customerID = "customer_id"
    case discountBps = "discount_bps"
    case startAt = "start_at"
    case endAt = "end_at"
    case termMonths = "term_months"
    case termSeconds = "term_seconds"
    case autoRenew = "auto_renew"
    case createdAt = "created_at"
    case cancelledAt = "cancelled_at"
  }
}

extension PlanRecord {
  /// The UTC calendar terms are counted in.
  static let calendar = PointsExpiryPolicy.utc

  /// Splits start..end into whole UTC months and the seconds left over.
  static func term(from start: Date, to end: Date) -> (months: Int, seconds: Int64) {
    let months = calendar.dateComponents([.month], from: start, to: end).month ?? 0
    let afterMonths = calendar.date(byAdding: .month, value: months, to: start)!
    return (months, Int64(end.timeIntervalSince(afterMonths).rounded()))
  }

  /// The date one term after `date`.
  func oneTerm(after date: Date) -> Date {
    Self.calendar.date(byAdding: .month, value: termMonths, to: date)!
      .addingTimeInterval(TimeInterval(termSeconds))
  }

  /// The end of the term the plan is in at `now`: the stored end, or for an auto-renewing
  /// plan past it, the end of the whole term the clock has rolled into (a cancelled plan stops
  /// rolling at its cancel time).
  func currentEnd(now: Date) -> Date {
    let at = min(now, cancelledAt ?? now)
    guard autoRenew, at >= endAt else { return endAt }
    // Skip most terms at once with a term no month of which is longer than 31 days, so the
    // estimate never overshoots; then step term by term.
    let longest = TimeInterval(termMonths) * 31 * 86_400 + TimeInterval(termSeconds)
    let skipped = max(0, Int((at.timeIntervalSince(endAt) / longest).rounded(.down)) - 1)
    var end = Self.calendar.date(byAdding: .month, value: termMonths * skipped, to: endAt)!
      .addingTimeInterval(TimeInterval(termSeconds) * TimeInterval(skipped))
    while end <= at { end = oneTerm(after: end) }
    return end
  }
}
