import Foundation
import GRDB

/// Points earned now but available later (the rules' pending period, e.g. a return window).
///
/// They stay outside the balance and the ledger until their time: the ledger says only what the
/// customer could spend. Released points become an ordinary `earn` entry and lot dated at the
/// moment they became available, so the balance is still the sum of the entries.
enum PendingPoints {
  /// Records `points` as pending until `availableAt`, opening the account on first use; the
  /// caller saves the account.
  static func add(
    _ db: Database, account: inout AccountRecord, points: Int64, reason: String,
    orderID: String, now: Date, availableAt: Date
  ) throws {
    if !(try AccountRecord.exists(db, key: account.customerID)) {
      try account.insert(db)
    }
    var pending = PendingPointsRecord(
      id: nil, customerID: account.customerID, orderID: orderID, points: points, cancelled: 0,
      reason: reason, earnedAt: now, availableAt: availableAt, state: "pending")
    try pending.insert(db)
    account.pendingPoints += points
  }

  /// Credits the customer's pending points whose time has come.
  static func releaseDue(
    _ db: Database, account: inout AccountRecord, now: Date, policy: PointsExpiryPolicy
  ) throws {
    guard account.pendingPoints > 0 else { return }
    let due =
      try PendingPointsRecord
      .filter(PendingPointsRecord.Columns.customerID == account.customerID)
      .filter(PendingPointsRecord.Columns.state == "pending")
      .filter(PendingPointsRecord.Columns.availableAt <= now)
      .order(PendingPointsRecord.Columns.availableAt, PendingPointsRecord.Columns.id)
      .fetchAll(db)
    for var pending in due {
      try release(db, pending: &pending, account: &account, policy: policy)
    }
  }

  /// Credits one pending record, dated at its available time (its lot's validity runs from
  /// then); the caller saves the account.
  static func release(
    _ db: Database, pending: inout PendingPointsRecord, account: inout AccountRecord,
    policy: PointsExpiryPolicy
  ) throws {
    let points = pending.open
    guard points > 0 else { return }
    _ = try PointsLedger.credit(
      db, account: &account, points: points, reason: pending.reason, orderID: pending.orderID,
      at: pending.availableAt, expiresAt: policy.expiry(ofPointsEarnedAt: pending.availableAt))
    account.pendingPoints -= points
    pending.state = "released"
    try pending.update(db)
  }

  /// Cancels up to `points` of the order's still-pending points (a refund before they became
  /// available); returns how many were cancelled. The caller saves the account.
  static func cancel(
    _ db: Database, points: Int64, from records: [PendingPointsRecord],
    account: inout AccountRecord
  ) throws -> Int64 {
    var left = points
    for var record in records where left > 0 && record.open > 0 {
      let taken = min(record.open, left)
      record.cancelled += taken
      if record.cancelled == record.points { record.state = "cancelled" }
      try record.update(db)
      left -= taken
    }
    account.pendingPoints -= points - left
    return points - left
  }
}
