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

  @Option(help: "The directory of loyalty.sqlite.") var dataDir: String
  @Option(help: "Accounts (customers bulk-0000000...).") var accounts = 1_000_000
  @Option(help: "Ledger entries to aim at, all accounts together.") var entries = 20_000_000
  @Option(help: "The end of the two years of history: YYYY-MM-DD (UTC) or ISO 8601; default now.")
  var asOf: String?
  @Option(help: "Accounts per transaction.") var batch = 2_000
  @Option(help: "The random seed: the same seed fills the same store.") var seed: UInt64 = 1

  func run() throws {
    let asOf = try asOfDate()
    let path = (dataDir as NSString).appendingPathComponent("loyalty.sqlite")
    let pool = try StoreOpener.openPool(path: path, migrator: LoyaltyStore.migrator)
    FileHandle.standardError.write(
      Data("loyalty fill: \(accounts) accounts, about \(entries) entries, to \(asOf) in \(path)\n"
        .utf8))
    let summary = try LoyaltyBulkFill.fill(
      pool,
      options: .init(
        accounts: accounts, entries: entries, asOf: asOf, seed: seed,
        customerID: { BulkIDs.customer($0) }, accountsPerTransaction: batch)
    ) { line in
      FileHandle.standardError.write(Data((line + "\n").utf8))
    }
    try pool.close()
    print(
      "loyalty fill: \(summary.accounts) accounts, \(summary.entries) ledger entries, "
        + "\(summary.lots) lots, \(summary.redeems) redeems, \(summary.reversals) reversals, "
        + "\(summary.tierChanges) tier changes, \(summary.coupons) coupons, "
        + "\(summary.referralCodes) referral codes; \(summary.rows) rows in "
        + String(format: "%.1f s", summary.seconds))
  }

  private func asOfDate() throws -> Date {
    guard let asOf else { return Date() }
    if let date = ISO8601DateFormatter().date(from: asOf) { return date }
    let day = ISO8601DateFormatter()
    day.formatOptions = [.withFullDate]
    guard let date = day.date(from: asOf) else {
      throw ValidationError("--as-of must be YYYY-MM-DD or ISO 8601, not \(asOf)")
    }
    return date
  }
}
