import Foundation

/// A time as the store keeps it (`yyyy-MM-dd HH:mm:ss.SSS`, UTC: what GRDB writes for a
/// `Date`), made from milliseconds since 1970 without a `DateFormatter`: a fill writes
/// millions of them.
enum StoreTimestamp {
  static func text(milliseconds: Int64) -> String {
    let millisecondsPerDay: Int64 = 86_400_000
    var days = milliseconds / millisecondsPerDay
    var rest = milliseconds % millisecondsPerDay
    if rest < 0 {
      rest += millisecondsPerDay
      days -= 1
    }
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    let z = days + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let dayOfEra = z - era * 146_097
    let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
    let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
    let monthIndex = (5 * dayOfYear + 2) / 153
    let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
    let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
    let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)

    var bytes: [UInt8] = []
    bytes.reserveCapacity(23)
    func append(_ value: Int64, width: Int) {
      var divisor: Int64 = 1
      for _ in 1..<width { divisor *= 10 }
      var value = value
      while divisor > 0 {
        bytes.append(UInt8(ascii: "0") + UInt8(value / divisor))
        value %= divisor
        divisor /= 10
      }
    }
    append(year, width: 4)
    bytes.append(UInt8(ascii: "-"))
    append(month, width: 2)
    bytes.append(UInt8(ascii: "-"))
    append(day, width: 2)
    bytes.append(UInt8(ascii: " "))
    append(rest / 3_600_000, width: 2)
    bytes.append(UInt8(ascii: ":"))
    append(rest / 60_000 % 60, width: 2)
    bytes.append(UInt8(ascii: ":"))
    append(rest / 1000 % 60, width: 2)
    bytes.append(UInt8(ascii: "."))
    append(rest % 1000, width: 3)
    return String(decoding: bytes, as: UTF8.self)
  }
}
