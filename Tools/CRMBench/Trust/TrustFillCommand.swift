import ArgumentParser
import Foundation
import ServiceKit
import Trust

/// `crm-bench trust fill`: writes the review history into `<data-dir>/trust.sqlite` with
/// ``TrustBulkFill`` (the service must not be running).
struct TrustFillCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "fill", abstract: "Write reviews, votes, replies and their aggregates into an empty trust store.")

  @Option(name: .customLong("data-dir"), help: "Directory of trust.sqlite (created if missing).")
  var dataDirectory: String

  @Option(help: "Reviews to write.")
  var reviews = 1_000_000

  @Option(help: "Products reviewed (p-00000...; p-00000 has the most reviews).")
  var products = 10_000

  @Option(help: "Customers who review and vote (bulk-0000000...).")
  var customers = 1_000_000

  @Option(help: "Businesses selling the products (shop-000...).")
  var businesses = 100

  @Option(help: "Seed of the generator.")
  var seed: UInt64 = 1

  @Option(name: .customLong("as-of"), help: "End of the two-year history, YYYY-MM-DD (UTC); default today.")
  var asOf: String?

  func run() async throws {
    let end = try Self.day(asOf)
    var fill = TrustBulkFill(asOf: end, productID: BulkIDs.product, customerID: BulkIDs.customer)
    fill.reviews = reviews
    fill.products = products
    fill.customers = customers
    fill.businesses = businesses
    fill.seed = seed
    let path = (dataDirectory as NSString).appendingPathComponent("trust.sqlite")
    let pool = try StoreOpener.openPool(path: path, migrator: TrustStore.migrator)
    defer { try? pool.close() }
    let started = ContinuousClock.now
    let total = reviews
    let summary = try await fill.run(into: pool) { progress in
      let seconds = secondsSince(started)
      let rate = Int(Double(progress.rows) / max(seconds, 0.001))
      FileHandle.standardError.write(Data((
        "trust fill: \(progress.reviews)/\(total) reviews, \(progress.rows) rows, \(progress.products) products, "
        + String(format: "%.1f s", seconds) + " (\(rate) rows/s)\n").utf8))
    }
    let seconds = String(format: "%.1f", secondsSince(started))
    print(
      "trust fill: \(summary.reviews) reviews (\(summary.published) published, \(summary.pending) pending, "
        + "\(summary.rejected) rejected), \(summary.votes) votes, \(summary.replies) replies, "
        + "\(summary.aggregates) aggregate rows, largest product \(summary.largestProductReviews) reviews; "
        + "\(summary.reviews + summary.votes + summary.replies) rows in \(seconds) s")
  }

  /// Midnight UTC of `text` (YYYY-MM-DD), or of today.
  static func day(_ text: String?) throws -> Date {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "UTC")!
    guard let text else { return calendar.startOfDay(for: Date()) }
    let parts = text.split(separator: "-").compactMap { Int($0) }
    guard parts.count == 3,
      let date = calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2]))
    else { throw ValidationError("--as-of must be YYYY-MM-DD, not \(text)") }
    return date
  }
}
