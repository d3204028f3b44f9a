import ArgumentParser
import Foundation
import GRDB
import ServiceKit

/// The options every `fill` command shares: where the store goes, the generator's seed and the
/// fill's now.
struct FillOptions: ParsableArguments {
  @Option(help: "The directory of the store's file (created if missing; the store must be new).")
  var dataDir: String

  @Option(help: "Generator seed: the same seed writes the same store (measure needs the same).")
  var seed: UInt64 = 1

  @Option(help: "The fill's now: a day (2026-11-25, UTC) or an ISO 8601 time; default now.")
  var asOf: String?

  /// `--as-of` as a time, or now.
  func asOfDate() throws -> Date { try asOf.map { try parseBenchTime($0, option: "--as-of") } ?? Date() }

  /// The path of `file` in `--data-dir`.
  func path(of file: String) -> String { (dataDir as NSString).appendingPathComponent(file) }

  /// Opens (creating and migrating) `file` in `--data-dir`. `largeCache` gives the writer a
  /// 256 MiB page cache, for fills whose indexes take random inserts.
  func openStore(_ file: String, migrator: DatabaseMigrator, largeCache: Bool = false) throws
    -> DatabasePool
  {
    let pool = try StoreOpener.openPool(path: path(of: file), migrator: migrator)
    if largeCache {
      try pool.writeWithoutTransaction { try $0.execute(sql: "PRAGMA cache_size = -262144") }
    }
    return pool
  }
}

/// Writes one line of a fill's progress to standard error; standard output keeps the summary.
func reportFillProgress(_ line: String) {
  FileHandle.standardError.write(Data((line + "\n").utf8))
}

/// A time given on the command line: an ISO 8601 time, or a day (2026-11-25) at midnight UTC.
func parseBenchTime(_ text: String, option: String) throws -> Date {
  let full = ISO8601DateFormatter()
  if let date = full.date(from: text) { return date }
  let day = ISO8601DateFormatter()
  day.formatOptions = [.withFullDate]
  if let date = day.date(from: text) { return date }
  throw ValidationError("\(option) must be a day (2026-11-25) or an ISO 8601 time, not \(text)")
}
