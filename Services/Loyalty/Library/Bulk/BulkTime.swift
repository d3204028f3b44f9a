import Foundation

/// Times of a bulk fill, in whole seconds since 1970 (UTC). Whole seconds keep the store's
/// text (`StoreDateText`) exactly what GRDB writes for the same `Date`, which `BulkFillTests`
/// checks.
enum BulkTime {
  /// The `Date` of `seconds`.
  static func date(_ seconds: Int64) -> Date { Date(timeIntervalSince1970: TimeInterval(seconds)) }
}

/// Adds calendar months the way the service does (`PointsExpiryPolicy` for lots, the tier
/// program's period), remembering each day's answer: a fill asks for a few hundred distinct
/// days millions of times.
struct BulkMonthStep {
  private let step: (Date) -> Date
  /// Whether the answer depends only on the day (rounded to a month's end), not the time.
  private let dayOnly: Bool
  private var byDay: [Int64: Int64] = [:]

  /// Steps by the expiry policy: when points earned at a time expire.
  init(expiry policy: PointsExpiryPolicy) {
    step = { policy.expiry(ofPointsEarnedAt: $0) }
    dayOnly = policy.roundToEndOfMonth
  }

  /// Steps `months` calendar months in `calendar` (a tier period).
  init(months: Int, calendar: Calendar) {
    step = { calendar.date(byAdding: .month, value: months, to: $0)! }
    dayOnly = false
  }

  /// The time `seconds` steps to. In UTC every day has 86,400 seconds, so the step of a
  /// day's midnight plus the time of day is the step of the time itself.
  mutating func callAsFunction(_ seconds: Int64) -> Int64 {
    let day = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
    let midnight = day * 86_400
    let stepped: Int64
    if let known = byDay[day] {
      stepped = known
    } else {
      stepped = Int64(step(BulkTime.date(midnight)).timeIntervalSince1970.rounded())
      byDay[day] = stepped
    }
    return dayOnly ? stepped : stepped + (seconds - midnight)
  }
}
