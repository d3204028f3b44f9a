import Foundation
import GRDB
import ServiceKit

/// Fills an empty loyalty store with a large, realistic history, straight into its tables:
/// accounts and their ledger, lots, tiers, coupons and referral codes, as the service itself
/// would have written them over two years (tens of millions of rows through the RPCs would
/// take hours).
///
/// Each account is played in memory through the service's own rules (`BulkLedgerSimulator`),
/// then its rows are inserted, a few thousand accounts per transaction. The ledger is
/// append-only, so the fill only ever inserts.
public enum LoyaltyBulkFill {
  /// What to fill.
  public struct Options: Sendable {
    /// Accounts, one per customer `customerID(0..<accounts)`.
    public var accounts: Int
    /// Ledger entries to aim at, all accounts together (the result is close, not exact:
    /// expiries that fall due at the end are written too).
    public var entries: Int
    /// The end of the history: it covers the two years before.
    public var asOf: Date
    /// The same seed fills the same store.
    public var seed: UInt64
    /// The customer id of account `n`, shared with the other services' bulk fills.
    public var customerID: @Sendable (Int) -> String
    /// Accounts per transaction.
    public var accountsPerTransaction: Int
    /// The validity the service runs with (its default unless configured otherwise).
    public var expiryPolicy: PointsExpiryPolicy

    /// Options with the defaults for everything not given.
    public init(
      accounts: Int = 1_000_000, entries: Int = 20_000_000, asOf: Date = Date(), seed: UInt64 = 1,
      customerID: @escaping @Sendable (Int) -> String, accountsPerTransaction: Int = 2_000,
      expiryPolicy: PointsExpiryPolicy = PointsExpiryPolicy()
    ) {
      self.accounts = accounts
      self.entries = entries
      self.asOf = asOf
      self.seed = seed
      self.customerID = customerID
      self.accountsPerTransaction = accountsPerTransaction
      self.expiryPolicy = expiryPolicy
    }
  }

  /// What was written.
  public struct Summary: Sendable, Hashable {
    /// Accounts written, one per customer.
    public var accounts = 0
    /// Ledger entries of every kind (earn, redeem, expire, reverse).
    public var entries = 0
    /// Points lots, one per earn.
    public var lots = 0
    /// Upgrades and downgrades.
    public var tierChanges = 0
    /// Redeems, each with its idempotency record.
    public var redeems = 0
    /// Refunds that took points back.
    public var reversals = 0
    /// Come-back coupons.
    public var coupons = 0
    /// Accounts with a referral code.
    public var referralCodes = 0
    /// Rows of every table together.
    public var rows = 0
    /// How long the fill took.
    public var seconds = 0.0
  }

  /// The fill refuses a store that has accounts or rules it does not play.
  public struct RefusedStore: Error, CustomStringConvertible {
    /// Why.
    public var description: String
  }

  /// Fills `database` (migrated, with no accounts; the service must not be running), calling
  /// `progress` with a line now and then.
  public static func fill(
    _ database: any DatabaseWriter, options: Options, progress: (String) -> Void = { _ in }
  ) throws -> Summary {
    precondition(options.accounts >= 0 && options.entries >= 0, "counts must not be negative")
    let started = ContinuousClock.now
    let asOf = Int64(options.asOf.timeIntervalSince1970.rounded(.down))
    let (rules, program) = try database.read { db in
      let accounts = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM loyalty_account") ?? 0
      guard accounts == 0 else {
        throw RefusedStore(
          description: "the store already has \(accounts) accounts: fill an empty one")
      }
      return (try EarningRules.load(db), try TierProgram.load(db))
    }
    guard EarningRules.pendingInterval(rules) == 0 else {
      throw RefusedStore(
        description: "the store's earning rules have a pending period; the fill plays none")
    }
    var simulator = BulkLedgerSimulator(
      rules: rules, program: program, start: asOf - 2 * 365 * 86_400, asOf: asOf,
      random: SplitMix64(seed: options.seed), expiry: BulkMonthStep(expiry: options.expiryPolicy),
      tierPeriod: BulkMonthStep(
        months: Int(program.periodMonths), calendar: options.expiryPolicy.calendar))
    var summary = Summary()
    try database.writeWithoutTransaction { db in
      // Speed for a store nobody uses yet; the service's own settings come back at the end.
      try db.execute(sql: "PRAGMA foreign_keys = OFF")
      try db.execute(sql: "PRAGMA synchronous = OFF")
      try db.execute(sql: "PRAGMA cache_size = -1048576")
      defer {
        try? db.execute(sql: "PRAGMA foreign_keys = ON")
        try? db.execute(sql: "PRAGMA synchronous = FULL")
        try? db.execute(sql: "PRAGMA cache_size = -2000")
      }
      var next = 0
      var lastReport = ContinuousClock.now
      while next < options.accounts {
        let end = min(options.accounts, next + max(1, options.accountsPerTransaction))
        var rows = BulkRows()
        for n in next..<end {
          // Aim each account at what is left to write over the accounts left, so that the
          // expiries written after an account's last operation do not pile up.
          let mean = max(1, (options.entries - summary.entries) / max(1, options.accounts - n))
          let target = 1 + Int(simulator.random.next() % UInt64(max(1, 2 * mean - 1)))
          summary.entries += try simulator.play(
            customerID: options.customerID(n), targetEntries: target, into: &rows)
        }
        try db.inTransaction {
          try rows.insert(db)
          return .commit
        }
        summary.accounts += rows.accounts.count
        summary.lots += rows.lots.count
        summary.tierChanges += rows.tierChanges.count
        summary.redeems += rows.idempotency.count
        summary.reversals += rows.reversals.count
        summary.coupons += rows.coupons.count
        summary.referralCodes += rows.referralCodes.count
        summary.rows += rows.count
        next = end
        if ContinuousClock.now - lastReport > .seconds(5) || next == options.accounts {
          lastReport = ContinuousClock.now
          let elapsed = seconds(since: started)
          progress(
            "loyalty fill: \(next)/\(options.accounts) accounts, \(summary.entries) entries, "
              + "\(summary.rows) rows, \(Int(elapsed)) s, "
              + "\(Int(Double(summary.rows) / max(elapsed, 0.001))) rows/s")
        }
      }
      // No ANALYZE: the service never runs it, so its planner must choose here as it does on
      // a store it grew itself.
      try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
    }
    summary.seconds = seconds(since: started)
    return summary
  }

  private static func seconds(since start: ContinuousClock.Instant) -> Double {
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
  }
}
