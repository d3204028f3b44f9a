import Foundation
import GRDB
import ServiceKit

/// The steps every points operation is made of, run inside the caller's write transaction so
/// that the ledger, the lots and the account change together or not at all.
///
/// Two invariants hold after each step: an account's balance is the sum of its ledger entries
/// and the sum of its lots' remaining points.
enum PointsLedger {
  /// The customer's account, or NOT_FOUND.
  static func account(_ db: Database, customerID: String) throws -> AccountRecord {
    guard let account = try LedgerStatements.account(db, customerID: customerID) else {
      throw ServiceError.notFound("loyalty account of customer \(FieldValidation.quoted(customerID))")
    }
    return account
  }

  /// Appends one entry; the store's triggers keep it from ever changing afterwards.
  static func append(
    _ db: Database, customerID: String, kind: String, points: Int64, reason: String, at date: Date
  ) throws -> LedgerEntryRecord {
    let entry = LedgerEntryRecord(
      id: UUID().uuidString.lowercased(), customerID: customerID, kind: kind, points: points,
      reason: reason, createdAt: date)
    try LedgerStatements.insert(db, entry)
    return entry
  }

  /// Credits `points` as a new lot dated `date`; a debt left by a refund takes its share first,
  /// so the customer never holds points that a refund already took back. The caller saves the
  /// account.
  static func credit(
    _ db: Database, account: inout AccountRecord, points: Int64, reason: String,
    orderID: String, at date: Date, expiresAt: Date
  ) throws -> LedgerEntryRecord {
    if !(try LedgerStatements.accountExists(db, customerID: account.customerID)) {
      try LedgerStatements.insert(db, account)
    }
    let debtPaid = min(account.pointsDebt, points)
    account.balance += points - debtPaid
    account.pointsDebt -= debtPaid
    account.lifetimePoints += points
    let entry = try append(
      db, customerID: account.customerID, kind: "earn", points: points, reason: reason, at: date)
    if debtPaid > 0 {
      _ = try append(
        db, customerID: account.customerID, kind: "reverse", points: -debtPaid,
        reason: "debt from refunds paid", at: date)
    }
    var lot = PointsLotRecord(
      id: nil, customerID: account.customerID, earnEntryID: entry.id, orderID: orderID,
      points: points, remaining: points - debtPaid, redeemed: 0, expired: 0, reversed: debtPaid,
      earnedAt: date, expiresAt: expiresAt)
    try LedgerStatements.insert(db, &lot)
    return entry
  }

  /// Expires the customer's lots that are due at `now`, so that a redeem or a reversal never
  /// uses points whose time has passed even when no expiry run has happened yet.
  static func expireDueLots(_ db: Database, account: inout AccountRecord, now: Date) throws {
    let due = try LedgerStatements.dueLots(db, customerID: account.customerID, now: now)
    for var lot in due {
      try expire(db, lot: &lot, account: &account)
    }
  }

  /// Expires what is left of `lot`: one `expire` entry dated at the lot's expiry time, the
  /// moment the points stopped being the customer's, whenever the expiry was written.
  static func expire(_ db: Database, lot: inout PointsLotRecord, account: inout AccountRecord)
    throws
  {
    let points = lot.remaining
    guard points > 0 else { return }
    _ = try append(
      db, customerID: lot.customerID, kind: "expire", points: -points,
      reason: "expiry of lot \(lot.id ?? 0)", at: lot.expiresAt)
    lot.remaining = 0
    lot.expired += points
    try LedgerStatements.updateCounters(db, lot)
    account.balance -= points
  }

  /// The customer's lots that still hold points, the ones expiring first first.
  static func openLots(_ db: Database, customerID: String) throws -> [PointsLotRecord] {
    try LedgerStatements.openLots(db, customerID: customerID)
  }

  /// Takes `points` out of `lots` in their order, moving them to the counter `into`; returns
  /// how many were taken (less than `points` only when the lots hold less).
  static func take(
    _ db: Database, points: Int64, from lots: [PointsLotRecord],
    into counter: WritableKeyPath<PointsLotRecord, Int64>
  ) throws -> Int64 {
    var left = points
    for var lot in lots where left > 0 {
      let taken = min(lot.remaining, left)
      guard taken > 0 else { continue }
      lot.remaining -= taken
      lot[keyPath: counter] += taken
      try LedgerStatements.updateCounters(db, lot)
      left -= taken
    }
    return points - left
  }
}
