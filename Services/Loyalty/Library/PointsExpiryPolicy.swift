import Foundation

/// How long earned points stay valid: configuration, not code, so that each programme can set
/// its own validity.
public struct PointsExpiryPolicy: Sendable, Hashable {
  /// Months a lot is valid from the moment it is earned.
  public var validityMonths: Int
  /// Whether validity runs to the end of the month it falls in: points then expire at the
  /// first instant of the next month, so a customer loses a month's points on one day.
  public var roundToEndOfMonth: Bool
  /// The calendar (and time zone) whose months the rules count.
  public var calendar: Calendar

  /// Creates a policy; by default points are valid 12 months to the instant, in UTC months.
  public init(
    validityMonths: Int = 12, roundToEndOfMonth: Bool = false, calendar: Calendar = Self.utc
  ) {
    precondition(validityMonths > 0, "points must stay valid for at least a month")
    self.validityMonths = validityMonths
    self.roundToEndOfMonth = roundToEndOfMonth
    self.calendar = calendar
  }

  /// The Gregorian calendar in UTC.
  public static var utc: Calendar {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "UTC")!
    return calendar
  }

  /// When points earned at `earnedAt` expire.
  public func expiry(ofPointsEarnedAt earnedAt: Date) -> Date {
    let end = calendar.date(byAdding: .month, value: validityMonths, to: earnedAt)!
    guard roundToEndOfMonth else { return end }
    let monthStart = calendar.dateInterval(of: .month, for: end)!
    return monthStart.end
  }
}
