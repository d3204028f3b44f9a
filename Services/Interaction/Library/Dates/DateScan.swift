import Contracts
import Foundation
import GRDB
import ServiceKit

/// The daily birthday and anniversary scan: every customer whose date is today in their own
/// time zone gets the moment, once per local year (the occurrence id is `<kind>-<year>`).
///
/// Only the rows of (about) today are read: a local date differs from the UTC date by at most
/// one day, so the scan asks the (month, day) index for yesterday, today and tomorrow (UTC)
/// and keeps the customers whose local date matches.
enum DateScan {
  /// Runs the scan at `now`; returns the moments created.
  static func run(_ database: any DatabaseWriter, now: Date) async throws -> Int {
    let utc = TimeZone(identifier: "UTC")!
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = utc
    var days: [(Int, Int)] = []
    for offset in -1...1 {
      let date = now.addingTimeInterval(TimeInterval(offset) * 86_400)
      let parts = calendar.dateComponents([.month, .day], from: date)
      days.append((parts.month!, parts.day!))
    }
    // 29 February is celebrated on 28 February in other years.
    if days.contains(where: { $0 == (2, 28) }) { days.append((2, 29)) }
    let candidates = try await database.read { [days] db in
      try days.flatMap { month, day in
        try CustomerDateRecord.filter(Column("month") == month && Column("day") == day).fetchAll(db)
      }
    }
    var created = 0
    // Small transactions, so the scan of a large customer base never holds the store long.
    for batch in stride(from: 0, to: candidates.count, by: 500).map({ Array(candidates[$0..<min($0 + 500, candidates.count)]) }) {
      created += try await database.write { db in
        var created = 0
        for date in batch {
          var facts = try CustomerFacts.local(db, customerID: date.customerID)
          if facts.timeZone.isEmpty { facts.timeZone = date.timeZone }
          var local = Calendar(identifier: .gregorian)
          local.timeZone = facts.zone
          let today = local.dateComponents([.year, .month, .day], from: now)
          let isLeap = local.range(of: .day, in: .month, for: local.date(from: DateComponents(year: today.year, month: 2))!)?.count == 29
          let matches =
            (today.month == date.month && today.day == date.day)
            || (!isLeap && date.month == 2 && date.day == 29 && today.month == 2 && today.day == 28)
          guard matches, try MomentPlanner.plan(db, kind: date.kind, tier: facts.tier) != nil else { continue }
          let outcome = try MomentPlanner.record(
            db, customerID: date.customerID, kind: date.kind, occurrenceID: "\(date.kind)-\(today.year!)",
            occurredAt: now, facts: facts, now: now)
          if !outcome.alreadyRecorded { created += 1 }
        }
        return created
      }
    }
    return created
  }
}
