import ArgumentParser
import Foundation
import Segmentation
import ServiceKit

/// `crm-bench segmentation fill`: writes `<data-dir>/segmentation.sqlite` through the service's
/// own migrations with `SegmentationBulkFill` (the service must not be running).
struct SegmentationFill: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "fill",
    abstract: "Fill segmentation.sqlite with profiles, identities, tags, purchases and history.")

  @Option(help: "The directory of segmentation.sqlite.") var dataDir: String
  @Option(help: "Profiles to write (bulk ids).") var customers = 1_000_000
  @Option(help: "Purchases, over the two years before --as-of.") var purchases = 10_000_000
  @Option(help: "Products the orders draw from (p-00000...).") var products = 5_000
  @Option(help: "Customers per transaction.") var batch = 2_000
  @Option(help: "The store's now (ISO 8601 date or time); default: now.") var asOf: String?
  @Option(help: "Generator seed.") var seed: UInt64 = 1

  func run() async throws {
    var plan = SegmentationBulkFill.Plan(
      customers: customers, purchases: purchases, products: products,
      asOf: try asOf.map(Self.date) ?? Date(), seed: seed,
      customerID: { BulkIDs.customer($0) }, productID: { BulkIDs.product($0) })
    plan.customersPerTransaction = batch
    let path = URL(fileURLWithPath: dataDir).appendingPathComponent("segmentation.sqlite").path
    let pool = try StoreOpener.openPool(path: path, migrator: SegmentationStore.migrator)
    // A large page cache: the customer and history indexes take random inserts.
    try await pool.writeWithoutTransaction { try $0.execute(sql: "PRAGMA cache_size = -262144") }
    let started = ContinuousClock.now
    let summary = try await SegmentationBulkFill(plan: plan).run(database: pool) { line in
      FileHandle.standardError.write(Data((line + "\n").utf8))
    }
    try pool.close()
    print(
      "segmentation fill: \(summary.rows) rows (\(summary.customers) customers, "
        + "\(summary.purchases) purchases, \(summary.purchaseItems) purchase lines, "
        + "\(summary.identities) identities, \(summary.tags) tags, \(summary.historyRows) history rows) in "
        + String(format: "%.1f s", secondsSince(started)))
  }

  static func date(_ text: String) throws -> Date {
    let formatter = ISO8601DateFormatter()
    if let date = formatter.date(from: text) { return date }
    formatter.formatOptions = [.withFullDate]
    if let date = formatter.date(from: text) { return date }
    throw ValidationError("--as-of must be an ISO 8601 date or time, not \(text)")
  }
}
