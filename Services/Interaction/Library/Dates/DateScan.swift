import Contracts
import Foundation
import GRDB
import ServiceKit

/// The daily birthday and anniversary scan: every customer whose date is today in their own
/// time zone gets the moment, once per local year (the occurrence id is `<kind>-<year>`).
///
/// Only the rows of (about) today are read: a local date differs from the UTC date by at most
/// one day, so the scan asks the (month, day) index for yesterday, today and tomorrow (UTC)
/// and keeps the customers whose local date matches. Tier and time zone come from the local
/// customer copy, never from segmentation: one remote call per customer would not fit a
/// million customers into the scan's budget, and a write transaction must not wait on a peer.
enum DateScan {
  /// What one run created.
  struct Result: Equatable {
    var moments = 0
    var tasks = 0
  }

  /// The dates of one (month, day): a range of the `customer_date_by_day` index, a few
  /// thousand rows of a million customers, never the whole table.
  static let candidatesSQL = "SELECT * FROM customer_date WHERE month = ? AND day = ?"

  /// Candidates are written in transactions of this many, so a large day never holds the store.
  static let batchSize = 500

  /// Runs the scan for the local day of `scanTime` (now, or a missed day being caught up);
  /// `now` stamps what it records.
  static func run(_ database: any DatabaseWriter, at scanTime: Date, now: Date) async throws -> Result {
    let utc = TimeZone(identifier: "UTC")!
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = utc
    var days: [(Int, Int)] = []
    for offset in -1...1 {
      let date = scanTime.addingTimeInterval(TimeInterval(offset) * 86_400)
      let parts = calendar.dateComponents([.month, .day], from: date)
      days.append((parts.month!, parts.day!))
    }
    // 29 February is celebrated on 28 February in other years.
    if days.contains(where: { $0 == (2, 28) }) { days.append((2, 29)) }
    let candidates = try await database.read { [days] db in
      try days.flatMap { month, day in
        try CustomerDateRecord.fetchAll(db, sql: candidatesSQL, arguments: [month, day])
      }
    }
    var result = Result()
    // Small transactions, so the scan of a large customer base never holds the store long.
    for start in stride(from: 0, to: candidates.count, by: batchSize) {
      let batch = Array(candidates[start..<min(start + batchSize, candidates.count)])
      let created = try await database.write { db in
        var created = Result()
        for date in batch {
          var facts = try CustomerFacts.local(db, customerID: date.customerID)
          if facts.timeZone.isEmpty { facts.timeZone = date.timeZone }
          guard let year = localYear(of: date, at: scanTime, zone: facts.zone),
            try MomentPlanner.plan(db, kind: date.kind, tier: facts.tier) != nil
          else { continue }
          let outcome = try MomentPlanner.record(
            db, customerID: date.customerID, kind: date.kind, occurrenceID: "\(date.kind)-\(year)",
            occurredAt: scanTime, facts: facts, now: now)
          if !outcome.alreadyRecorded {
            created.moments += 1
            created.tasks += outcome.tasks.count
          }
        }
        return created
      }
      result.moments += created.moments
      result.tasks += created.tasks
    }
    return result
  }

  /// The local year when `date` falls on the local day of `time` in `zone`, else nil.
  static func localYear(of date: CustomerDateRecord, at time: Date, zone: TimeZone) -> Int? {
    var local = Calendar(identifier: .gregorian)
    local.timeZone = zone
    let today = local.dateComponents([.year, .month, .day], from: time)
    let isLeap = local.range(of: .day, in: .month, for: local.date(from: DateComponents(year: today.year, month: 2))!)?.count == 29
    let matches =
      (today.month == date.month && today.day == date.day)
      || (!isLeap && date.month == 2 && date.day == 29 && today.month == 2 && today.day == 28)
    return matches ? today.year : nil
  }
}
