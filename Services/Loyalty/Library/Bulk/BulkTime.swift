import Foundation

/// Times of a bulk fill, in whole seconds since 1970 (UTC): the fill handles tens of millions
/// of them, so it formats them itself instead of through a `DateFormatter`.
///
/// Whole seconds keep the text exactly what GRDB writes for the same `Date`
/// (`yyyy-MM-dd HH:mm:ss.SSS` in UTC), which `BulkFillTests` checks.
enum BulkTime {
  /// The store's text of `seconds`, as GRDB stores a `Date`.
  static func storeText(_ seconds: Int64) -> String {
    let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
    let secondOfDay = Int(seconds - days * 86_400)
    let (year, month, day) = civil(fromDays: days)
    var text = ""
    text.reserveCapacity(23)
    append(&text, year, width: 4)
    text.append("-")
    append(&text, month, width: 2)
    text.append("-")
    append(&text, day, width: 2)
    text.append(" ")
    append(&text, secondOfDay / 3600, width: 2)
    text.append(":")
    append(&text, secondOfDay / 60 % 60, width: 2)
    text.append(":")
    append(&text, secondOfDay % 60, width: 2)
    text.append(".000")
    return text
  }

  /// The `Date` of `seconds`.
  static func date(_ seconds: Int64) -> Date { Date(timeIntervalSince1970: TimeInterval(seconds)) }

  /// Year, month and day of a day count since 1970-01-01 (Howard Hinnant's civil_from_days).
  private static func civil(fromDays days: Int64) -> (Int, Int, Int) {
    let z = days + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let dayOfEra = z - era * 146_097
    let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
    let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
    let monthIndex = (5 * dayOfYear + 2) / 153
    let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
    let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
    let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    return (Int(year), Int(month), Int(day))
  }

  private static func append(_ text: inout String, _ value: Int, width: Int) {
    let digits = String(value)
    if digits.count < width { text.append(String(repeating: "0", count: width - digits.count)) }
    text.append(digits)
  }
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

/// The fill's deterministic random numbers (SplitMix64): the same seed fills the same store.
struct BulkRandom: RandomNumberGenerator {
  private var state: UInt64

  init(seed: UInt64) { state = seed }

  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// A lowercased UUID (version 4 layout, as the service's `UUID().uuidString.lowercased()`)
  /// whose first 48 bits are `sequence`, so that the fill inserts ids into their index in
  /// order instead of at random places.
  mutating func uuid(sequence: UInt64) -> String {
    let low = next()
    let hex = { (value: UInt64, width: Int) -> String in
      let digits = String(value, radix: 16)
      return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
    return hex(sequence >> 16 & 0xFFFF_FFFF, 8) + "-" + hex(sequence & 0xFFFF, 4) + "-4"
      + hex(low >> 52 & 0xFFF, 3) + "-" + hex(0x8000 | (low >> 36 & 0x3FFF), 4) + "-"
      + hex(low & 0xFFFF_FFFF_FFFF, 12)
  }

  /// A code of `length` characters from `alphabet` (32 symbols) that no other `sequence`
  /// gets: the sequence is scrambled by an odd multiplier, a bijection modulo 2^(5·length).
  static func code(sequence: UInt64, length: Int, alphabet: [Character]) -> String {
    let bits = UInt64(5 * length)
    let mask: UInt64 = bits >= 64 ? .max : (1 << bits) - 1
    var value = (sequence &* 0x9E37_79B9_7F4A_7C15 &+ 0x5851_F42D) & mask
    var characters: [Character] = []
    for _ in 0..<length {
      characters.append(alphabet[Int(value & 31)])
      value >>= 5
    }
    return String(characters)
  }
}
