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

  @OptionGroup var store: FillOptions
  @Option(help: "Profiles to write (bulk ids).") var customers = 1_000_000
  @Option(help: "Purchases, over the two years before --as-of.") var purchases = 10_000_000
  @Option(help: "Products the orders draw from (p-00000...).") var products = 5_000
  @Option(help: "Customers per transaction.") var batch = 2_000

  func run() async throws {
    var plan = SegmentationBulkFill.Plan(
      customers: customers, purchases: purchases, products: products,
      asOf: try store.asOfDate(), seed: store.seed,
      customerID: { BulkIDs.customer($0) }, productID: { BulkIDs.product($0) })
    plan.customersPerTransaction = batch
    // A large page cache: the customer and history indexes take random inserts.
    let pool = try store.openStore(
      "segmentation.sqlite", migrator: SegmentationStore.migrator, largeCache: true)
    let started = ContinuousClock.now
    let summary = try await SegmentationBulkFill(plan: plan).run(database: pool, progress: reportFillProgress)
    try pool.close()
    print(
      "segmentation fill: \(summary.rows) rows (\(summary.customers) customers, "
        + "\(summary.purchases) purchases, \(summary.purchaseItems) purchase lines, "
        + "\(summary.identities) identities, \(summary.tags) tags, \(summary.historyRows) history rows) in "
        + String(format: "%.1f s", secondsSince(started)))
  }
}
