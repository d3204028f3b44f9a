import Foundation
import GRDB

/// The statements of the points path (earn, redeem, expire), compiled once per connection and
/// reused from GRDB's statement cache.
///
/// An earn runs about a dozen statements. Built through the query interface or the record
/// methods, each is generated and compiled again on every call (SQL generation, SQLite's parser,
/// GRDB's authorizer), and a release profile of durable earns showed that compiling cost more
/// CPU than running them. The writer runs every earn one after another, so its CPU per earn is
/// what bounds group commit; see `GroupCommitWriter`.
enum LedgerStatements {
  /// The customer's account, if it was opened.
  static func account(_ db: Database, customerID: String) throws -> AccountRecord? {
    try AccountRecord.fetchOne(
      db.cachedStatement(sql: "SELECT * FROM loyalty_account WHERE customer_id = ?"),
      arguments: [customerID])
  }

  /// Whether the customer's account was opened.
  static func accountExists(_ db: Database, customerID: String) throws -> Bool {
    try Bool.fetchOne(
      db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM loyalty_account WHERE customer_id = ?)"),
      arguments: [customerID]) ?? false
  }

  /// Writes a new account.
  static func insert(_ db: Database, _ account: AccountRecord) throws {
    try db.cachedStatement(sql: """
      INSERT INTO loyalty_account (customer_id, balance, lifetime_points, points_debt,
        pending_points, tier, tier_period_ends_at, created_at, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
      """).execute(arguments: [
        account.customerID, account.balance, account.lifetimePoints, account.pointsDebt,
        account.pendingPoints, account.tier, account.tierPeriodEndsAt, account.createdAt,
        account.updatedAt,
      ])
  }

  /// Writes every field of an existing account.
  static func update(_ db: Database, _ account: AccountRecord) throws {
    try db.cachedStatement(sql: """
      UPDATE loyalty_account SET balance = ?, lifetime_points = ?, points_debt = ?,
        pending_points = ?, tier = ?, tier_period_ends_at = ?, created_at = ?, updated_at = ?
      WHERE customer_id = ?
      """).execute(arguments: [
        account.balance, account.lifetimePoints, account.pointsDebt, account.pendingPoints,
        account.tier, account.tierPeriodEndsAt, account.createdAt, account.updatedAt,
        account.customerID,
      ])
  }

  /// Appends a ledger entry.
  static func insert(_ db: Database, _ entry: LedgerEntryRecord) throws {
    try db.cachedStatement(sql: """
      INSERT INTO ledger_entry (id, customer_id, kind, points, reason, created_at)
      VALUES (?, ?, ?, ?, ?, ?)
      """).execute(arguments: [
        entry.id, entry.customerID, entry.kind, entry.points, entry.reason, entry.createdAt,
      ])
  }

  /// Writes a new lot and gives it its row id.
  static func insert(_ db: Database, _ lot: inout PointsLotRecord) throws {
    try db.cachedStatement(sql: """
      INSERT INTO points_lot (customer_id, earn_entry_id, order_id, points, remaining, redeemed,
        expired, reversed, earned_at, expires_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      """).execute(arguments: [
        lot.customerID, lot.earnEntryID, lot.orderID, lot.points, lot.remaining, lot.redeemed,
        lot.expired, lot.reversed, lot.earnedAt, lot.expiresAt,
      ])
    lot.id = db.lastInsertedRowID
  }

  /// Writes a lot's counters (the only fields that change after it is written).
  static func updateCounters(_ db: Database, _ lot: PointsLotRecord) throws {
    try db.cachedStatement(sql: """
      UPDATE points_lot SET remaining = ?, redeemed = ?, expired = ?, reversed = ? WHERE id = ?
      """).execute(arguments: [lot.remaining, lot.redeemed, lot.expired, lot.reversed, lot.id])
  }

  /// The customer's lots that still hold points and are due to expire at `now`, in expiry order.
  static func dueLots(_ db: Database, customerID: String, now: Date) throws -> [PointsLotRecord] {
    try PointsLotRecord.fetchAll(
      db.cachedStatement(sql: """
        SELECT * FROM points_lot WHERE customer_id = ? AND remaining > 0 AND expires_at <= ?
        ORDER BY expires_at, id
        """),
      arguments: [customerID, now])
  }

  /// The customer's lots that still hold points, the ones expiring first first.
  static func openLots(_ db: Database, customerID: String) throws -> [PointsLotRecord] {
    try PointsLotRecord.fetchAll(
      db.cachedStatement(sql: """
        SELECT * FROM points_lot WHERE customer_id = ? AND remaining > 0 ORDER BY expires_at, id
        """),
      arguments: [customerID])
  }
}
