import Foundation

/// A time as a store keeps it: the text GRDB writes for a `Date` (`yyyy-MM-dd HH:mm:ss.SSS`,
/// UTC, proleptic Gregorian), made without a `DateFormatter`, since a bulk fill writes tens of
/// millions of them. `StoreDateTextTests` holds it to GRDB's own text.
///
/// Good for years 1583 to 9999: before that GRDB's formatter switches to the Julian calendar,
/// and a fifth year digit would not fit the column's fixed width.
public enum StoreDateText {
  /// The store's text of a time given in milliseconds since 1970 (UTC).
  public static func text(milliseconds: Int64) -> String {
    let millisecondsPerDay: Int64 = 86_400_000
    var days = milliseconds / millisecondsPerDay
    var rest = milliseconds % millisecondsPerDay
    if rest < 0 {
      rest += millisecondsPerDay
      days -= 1
    }
    let (year, month, day) = civil(fromDays: days)
    var bytes: [UInt8] = []
    bytes.reserveCapacity(23)
    append(&bytes, year, width: 4)
    bytes.append(UInt8(ascii: "-"))
    append(&bytes, month, width: 2)
    bytes.append(UInt8(ascii: "-"))
    append(&bytes, day, width: 2)
    bytes.append(UInt8(ascii: " "))
    append(&bytes, rest / 3_600_000, width: 2)
    bytes.append(UInt8(ascii: ":"))
    append(&bytes, rest / 60_000 % 60, width: 2)
    bytes.append(UInt8(ascii: ":"))
    append(&bytes, rest / 1000 % 60, width: 2)
    bytes.append(UInt8(ascii: "."))
    append(&bytes, rest % 1000, width: 3)
    return String(decoding: bytes, as: UTF8.self)
  }

  /// The store's text of `date`, to the nearest millisecond as GRDB's formatter writes it
  /// (a `Date` made from whole milliseconds is often a hair below one).
  public static func text(_ date: Date) -> String {
    text(milliseconds: Int64((date.timeIntervalSince1970 * 1000).rounded()))
  }

  /// Year, month and day of a day count since 1970-01-01 (Howard Hinnant's civil_from_days).
  private static func civil(fromDays days: Int64) -> (Int64, Int64, Int64) {
    let z = days + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let dayOfEra = z - era * 146_097
    let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
    let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
    let monthIndex = (5 * dayOfYear + 2) / 153
    let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
    let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
    let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    return (year, month, day)
  }

  /// Appends `value` (not negative) in `width` decimal digits, zero-padded.
  private static func append(_ bytes: inout [UInt8], _ value: Int64, width: Int) {
    var divisor: Int64 = 1
    for _ in 1..<width { divisor *= 10 }
    var value = value
    while divisor > 0 {
      bytes.append(UInt8(ascii: "0") + UInt8(value / divisor))
      value %= divisor
      divisor /= 10
    }
  }
}
