import ArgumentParser
import Foundation
import Interaction
import ServiceKit

/// `crm-bench interaction fill`: writes `<data-dir>/interaction.sqlite` with the service's own
/// schema and planner (see ``InteractionBulkFill``); the service must not be running.
struct InteractionFillCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "fill", abstract: "Write a large interaction store (the service must be stopped).")

  @OptionGroup var store: FillOptions

  @Option(help: "Customers bulk-0000000... with copies, birthdays and anniversaries.")
  var customers = 1_000_000

  @Option(help: "Logged interactions over the two years before --as-of.")
  var interactions = 10_000_000

  @Option(help: "Open care tasks due around --as-of (some overdue).")
  var openTasks = 1_000_000

  @Option(help: "Account managers manager-000... the customers are shared among.")
  var managers = 200

  func run() async throws {
    let asOfDate = try store.asOfDate()
    let started = ContinuousClock.now
    // A bigger page cache for the writer: the fill touches the indexes of millions of rows.
    let pool = try store.openStore(
      "interaction.sqlite", migrator: InteractionStore.migrator, largeCache: true)
    let plan = InteractionBulkFill.Plan(
      customers: customers, interactions: interactions, openTasks: openTasks, managers: managers, asOf: asOfDate,
      seed: store.seed, customerID: BulkIDs.customer)
    let counts = try InteractionBulkFill.fill(into: pool, plan: plan, progress: reportFillProgress)
    try await pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
    try pool.close()
    let rows = counts.customers + counts.customerDates + counts.optOuts + counts.interactions + counts.moments
      + counts.openTasks + counts.doneTasks + counts.suppressedTasks
    print(
      "interaction fill: \(rows) rows in \(String(format: "%.1f", secondsSince(started))) s: "
        + "\(counts.customers) customers, \(counts.customerDates) birthdays/anniversaries, \(counts.optOuts) opt-outs, "
        + "\(counts.interactions) interactions, \(counts.moments) moments, \(counts.openTasks) open tasks "
        + "(\(counts.overdueTasks) overdue), \(counts.doneTasks) done, \(counts.suppressedTasks) suppressed; as of "
        + ISO8601DateFormatter().string(from: asOfDate))
  }
}
