import Contracts
import Foundation
import ServiceKit

/// The time an SLA clock counts when its policy has a calendar: weekly business hours in a
/// time zone, minus holidays. Stored with its policy as JSON (a policy's option, read with it).
struct BusinessCalendar: Codable, Hashable, Sendable {
  /// One range of working time on an ISO day of the week (1 Monday ... 7 Sunday).
  struct Hours: Codable, Hashable, Sendable {
    var dayOfWeek: Int
    var startMinute: Int
    var endMinute: Int
  }

  var timeZone: String
  var hours: [Hours]
  /// Local dates, "yyyy-MM-dd".
  var holidays: [String]

  /// The longest search for business time: a clock never needs more than a few years.
  private static let maxDays = 3 * 366

  /// `seconds` of business time after `start`: the moment the clock reaches it.
  func adding(_ seconds: TimeInterval, to start: Date) -> Date {
    var remaining = seconds
    if remaining <= 0 { return start }
    for (open, close) in intervals(from: start) {
      let from = max(open, start)
      let available = close.timeIntervalSince(from)
      if available >= remaining { return from.addingTimeInterval(remaining) }
      remaining -= available
    }
    // Only reachable when the calendar has (almost) no working time; count every hour then.
    return start.addingTimeInterval(seconds)
  }

  /// The business time between `start` and `end`.
  func businessSeconds(from start: Date, to end: Date) -> TimeInterval {
    guard end > start else { return 0 }
    var total: TimeInterval = 0
    for (open, close) in intervals(from: start) {
      if open >= end { break }
      total += min(close, end).timeIntervalSince(max(open, start))
    }
    return total
  }

  /// The working ranges from the local day holding `start` on, in order, up to `maxDays` days;
  /// ranges that end before `start` are skipped.
  private func intervals(from start: Date) -> some Sequence<(Date, Date)> {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: timeZone) ?? .gmt
    let holidaySet = Set(holidays)
    let byDay = Dictionary(grouping: hours, by: \.dayOfWeek).mapValues {
      $0.sorted { $0.startMinute < $1.startMinute }
    }
    let firstDay = calendar.startOfDay(for: start)
    return (0..<Self.maxDays).lazy.flatMap { offset -> [(Date, Date)] in
      guard let day = calendar.date(byAdding: .day, value: offset, to: firstDay) else { return [] }
      let parts = calendar.dateComponents([.year, .month, .day, .weekday], from: day)
      let date = String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
      if holidaySet.contains(date) { return [] }
      // Calendar weekdays run 1 Sunday ... 7 Saturday; ISO runs 1 Monday ... 7 Sunday.
      let iso = ((parts.weekday ?? 1) + 5) % 7 + 1
      return (byDay[iso] ?? []).compactMap { range in
        // Local wall-clock minutes, so a daylight-saving day keeps its 9:00 to 17:00.
        guard
          let open = calendar.date(
            bySettingHour: range.startMinute / 60, minute: range.startMinute % 60, second: 0, of: day),
          let close = range.endMinute == 1440
            ? calendar.date(byAdding: .day, value: 1, to: day)
            : calendar.date(
              bySettingHour: range.endMinute / 60, minute: range.endMinute % 60, second: 0, of: day),
          close > start
        else { return nil }
        return (open, close)
      }
    }
  }
}

extension BusinessCalendar {
  /// Validates the API's calendar and converts it; fields are named under `field`.
  init(_ message: Crm_Feedback_V1_BusinessCalendar, field: String) throws(ServiceError) {
    guard !message.timeZone.isEmpty, TimeZone(identifier: message.timeZone) != nil else {
      throw .invalidArgument(field: "\(field).time_zone", reason: "is not an IANA time zone")
    }
    if message.hours.isEmpty {
      throw .invalidArgument(field: "\(field).hours", reason: "needs at least one range")
    }
    var hours: [Hours] = []
    for (index, range) in message.hours.enumerated() {
      guard (1...7).contains(range.dayOfWeek), range.startMinute >= 0,
        range.startMinute < range.endMinute, range.endMinute <= 1440
      else {
        throw .invalidArgument(
          field: "\(field).hours[\(index)]",
          reason: "needs day_of_week 1-7 and 0 <= start_minute < end_minute <= 1440")
      }
      let overlaps = hours.contains {
        $0.dayOfWeek == Int(range.dayOfWeek) && Int(range.startMinute) < $0.endMinute
          && $0.startMinute < Int(range.endMinute)
      }
      if overlaps {
        throw .invalidArgument(
          field: "\(field).hours[\(index)]", reason: "overlaps another range of that day")
      }
      hours.append(
        Hours(
          dayOfWeek: Int(range.dayOfWeek), startMinute: Int(range.startMinute),
          endMinute: Int(range.endMinute)))
    }
    let format = Date.ISO8601FormatStyle().year().month().day()
    for (index, holiday) in message.holidays.enumerated() {
      guard holiday.count == 10, (try? format.parse(holiday)) != nil else {
        throw .invalidArgument(field: "\(field).holidays[\(index)]", reason: "must be yyyy-MM-dd")
      }
    }
    self.init(timeZone: message.timeZone, hours: hours, holidays: message.holidays)
  }

  var message: Crm_Feedback_V1_BusinessCalendar {
    .with {
      $0.timeZone = timeZone
      $0.hours = hours.map { range in
        .with {
          $0.dayOfWeek = Int32(range.dayOfWeek)
          $0.startMinute = Int32(range.startMinute)
          $0.endMinute = Int32(range.endMinute)
        }
      }
      $0.holidays = holidays
    }
  }
}
