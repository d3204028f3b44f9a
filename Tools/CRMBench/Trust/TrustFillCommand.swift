import ArgumentParser
import Foundation
import ServiceKit
import Trust

/// `crm-bench trust fill`: writes the review history into `<data-dir>/trust.sqlite` with
/// ``TrustBulkFill`` (the service must not be running).
struct TrustFillCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "fill", abstract: "Write reviews, votes, replies and their aggregates into an empty trust store.")

  @OptionGroup var store: FillOptions

  @Option(help: "Reviews to write.")
  var reviews = 1_000_000

  @Option(help: "Products reviewed (p-00000...; p-00000 has the most reviews).")
  var products = 10_000

  @Option(help: "Customers who review and vote (bulk-0000000...).")
  var customers = 1_000_000

  @Option(help: "Businesses selling the products (shop-000...).")
  var businesses = 100

  func run() async throws {
    let end = try Self.day(store.asOfDate())
    var fill = TrustBulkFill(asOf: end, productID: BulkIDs.product, customerID: BulkIDs.customer)
    fill.reviews = reviews
    fill.products = products
    fill.customers = customers
    fill.businesses = businesses
    fill.seed = store.seed
    let pool = try store.openStore("trust.sqlite", migrator: TrustStore.migrator)
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

  /// Midnight UTC of the day of `date`: the history ends on a day boundary.
  static func day(_ date: Date) -> Date {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "UTC")!
    return calendar.startOfDay(for: date)
  }
}
