import ArgumentParser
import Foundation
import Loyalty
import ServiceKit

/// `crm-bench loyalty fill`: writes <data-dir>/loyalty.sqlite through the service's own
/// migrations; the service must not be running.
struct LoyaltyFill: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "fill",
    abstract: "Fill an empty loyalty store with accounts and two years of their ledger.",
    discussion: """
      Every account is customer bulk-<n> and is played through the service's rules: purchases \
      earn lots by the earning rules and tier, redeems take the lots expiring first, lots expire \
      on time, a few refunds take points back, tiers rise and fall as the service decides. \
      Some customers get come-back coupons and referral codes.
      """)

  @OptionGroup var store: FillOptions
  @Option(help: "Accounts (customers bulk-0000000...).") var accounts = 1_000_000
  @Option(help: "Ledger entries to aim at, all accounts together.") var entries = 20_000_000
  @Option(help: "Accounts per transaction.") var batch = 2_000

  func run() throws {
    let asOf = try store.asOfDate()
    let path = store.path(of: "loyalty.sqlite")
    let pool = try store.openStore("loyalty.sqlite", migrator: LoyaltyStore.migrator)
    FileHandle.standardError.write(
      Data("loyalty fill: \(accounts) accounts, about \(entries) entries, to \(asOf) in \(path)\n"
        .utf8))
    let options = LoyaltyBulkFill.Options(
      accounts: accounts, entries: entries, asOf: asOf, seed: store.seed,
      customerID: { BulkIDs.customer($0) }, accountsPerTransaction: batch)
    let summary = try LoyaltyBulkFill.fill(pool, options: options, progress: reportFillProgress)
    try pool.close()
    print(
      "loyalty fill: \(summary.accounts) accounts, \(summary.entries) ledger entries, "
        + "\(summary.lots) lots, \(summary.redeems) redeems, \(summary.reversals) reversals, "
        + "\(summary.tierChanges) tier changes, \(summary.coupons) coupons, "
        + "\(summary.referralCodes) referral codes; \(summary.rows) rows in "
        + String(format: "%.1f s", summary.seconds))
  }
}
