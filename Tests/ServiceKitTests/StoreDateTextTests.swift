import Foundation
import GRDB
import ServiceKit
import Testing

@Suite("Store date text")
struct StoreDateTextTests {
  /// GRDB's own text of the time `milliseconds` after 1970.
  static func grdbText(milliseconds: Int64) -> String? {
    String.fromDatabaseValue(Date(timeIntervalSince1970: Double(milliseconds) / 1000).databaseValue)
  }

  /// Milliseconds since 1970 of a UTC calendar time.
  static func milliseconds(
    _ year: Int, _ month: Int, _ day: Int, _ hour: Int = 0, _ minute: Int = 0, _ second: Int = 0
  ) -> Int64 {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(secondsFromGMT: 0)!
    let date = calendar.date(
      from: DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second))!
    return Int64(date.timeIntervalSince1970.rounded()) * 1000
  }

  @Test("edges: the epoch, before 1970, leap days, year ends, millisecond edges")
  func edges() {
    // Given times at the edges of each field
    var times: [Int64] = [0, -1, 1, 999, 1000, -999, -1000, -1001, 86_399_999, -86_400_000]
    let days: [(Int, Int, Int)] = [
      (1900, 2, 28), (1900, 3, 1), (1950, 6, 15), (1969, 12, 31), (1970, 1, 1), (1999, 12, 31),
      (2000, 1, 1), (2000, 2, 29), (2000, 3, 1), (2023, 2, 28), (2024, 2, 29), (2024, 12, 31),
      (2100, 2, 28), (2100, 3, 1), (2400, 2, 29), (1600, 2, 29), (9999, 12, 31),
    ]
    for (year, month, day) in days {
      let midnight = Self.milliseconds(year, month, day)
      times += [midnight - 1, midnight, midnight + 1, midnight + 999, midnight + 86_399_999]
    }
    // When both write them, then the texts are the same
    for ms in times {
      #expect(StoreDateText.text(milliseconds: ms) == Self.grdbText(milliseconds: ms), "\(ms)")
      let date = Date(timeIntervalSince1970: Double(ms) / 1000)
      #expect(StoreDateText.text(date) == Self.grdbText(milliseconds: ms), "\(ms)")
    }
    // A fraction of a millisecond goes to the nearest, as GRDB does
    for seconds in [1.0004, 1.0006, 1_700_000_000.0004, 1_700_000_000.0006, -1.0004, -1.0006] {
      let date = Date(timeIntervalSince1970: seconds)
      #expect(StoreDateText.text(date) == String.fromDatabaseValue(date.databaseValue), "\(seconds)")
    }
    #expect(StoreDateText.text(milliseconds: 951_782_400_000) == "2000-02-29 00:00:00.000")
    #expect(StoreDateText.text(milliseconds: -1) == "1969-12-31 23:59:59.999")
  }

  @Test("random times from 1601 to 2400 are GRDB's text and read back as written")
  func randomTimes() throws {
    var random = SplitMix64(seed: 7)
    let low = Self.milliseconds(1601, 1, 1)
    let high = Self.milliseconds(2400, 1, 1)
    for _ in 0..<5_000 {
      // Given a random millisecond
      let ms = low + Int64(random.next() % UInt64(high - low))
      // When it is written, then it is GRDB's text, and GRDB reads it back to the millisecond
      let text = StoreDateText.text(milliseconds: ms)
      #expect(text == Self.grdbText(milliseconds: ms), "\(ms)")
      #expect(StoreDateText.text(Date(timeIntervalSince1970: Double(ms) / 1000)) == text, "\(ms)")
      let read = try #require(Date.fromDatabaseValue(text.databaseValue))
      #expect(Int64((read.timeIntervalSince1970 * 1000).rounded()) == ms, "\(text)")
    }
  }
}
