import Foundation
import GRDB
import ServiceKit

/// The rows a batch of simulated accounts produced, column for column as the service writes
/// them (times in whole seconds, written as the store's text by `BulkTime`).
struct BulkRows {
  struct Account {
    var customerID: String
    var balance: Int64
    var lifetimePoints: Int64
    var pointsDebt: Int64
    var tier: String
    var tierPeriodEndsAt: Int64?
    var createdAt: Int64
    var updatedAt: Int64
  }

  struct Entry {
    var id: String
    var customerID: String
    var kind: String
    var points: Int64
    var reason: String
    var createdAt: Int64
  }

  struct Lot {
    var id: Int64
    var customerID: String
    var earnEntryID: String
    var orderID: String
    var points: Int64
    var remaining: Int64
    var redeemed: Int64 = 0
    var expired: Int64 = 0
    var reversed: Int64
    var earnedAt: Int64
    var expiresAt: Int64
  }

  struct Activity {
    var customerID: String
    var spendMinor: Int64
    var purchases: Int64
    var points: Int64
    var createdAt: Int64
  }

  struct TierChange {
    var customerID: String
    var fromTier: String
    var toTier: String
    var reason: String
    var createdAt: Int64
  }

  /// A tier change told to segmentation; written as delivered, as the relay leaves it.
  struct Outbox {
    var eventID: String
    var destination: String
    var customerID: String
    var event: Data
    var createdAt: Int64
  }

  /// An event from segmentation (a purchase, a refund, a stage change) applied once.
  struct Inbox {
    var eventID: String
    var source: String
    var appliedAt: Int64
  }

  struct Idempotency {
    var scope: String
    var key: String
    var request: Data
    var response: Data
    var createdAt: Int64
  }

  struct Reversal {
    var refundID: String
    var customerID: String
    var orderID: String
    var refundAmountMinor: Int64
    var orderAmountMinor: Int64
    var currency: String
    var pointsReversed: Int64
    var pointsDebt: Int64
    var pointsExpired: Int64
    var createdAt: Int64
  }

  struct Coupon {
    var code: String
    var customerID: String
    var kind: String
    var discountPercent: Int
    var validFrom: Int64
    var validUntil: Int64
    var redeemedAt: Int64?
  }

  var accounts: [Account] = []
  var entries: [Entry] = []
  var lots: [Lot] = []
  var activity: [Activity] = []
  var tierChanges: [TierChange] = []
  var outbox: [Outbox] = []
  var inbox: [Inbox] = []
  var idempotency: [Idempotency] = []
  var reversals: [Reversal] = []
  var coupons: [Coupon] = []
  var referralCodes: [(customerID: String, code: String)] = []

  /// Rows held, all tables together.
  var count: Int {
    accounts.count + entries.count + lots.count + activity.count + tierChanges.count
      + outbox.count + inbox.count + idempotency.count + reversals.count + coupons.count
      + referralCodes.count
  }

  /// Inserts every row with prepared statements, inside the caller's transaction.
  func insert(_ db: Database) throws {
    let t = { (seconds: Int64) in StoreDateText.text(milliseconds: seconds * 1000) }
    let account = try db.makeStatement(
      sql: """
        INSERT INTO loyalty_account (customer_id, balance, lifetime_points, points_debt,
          pending_points, tier, tier_period_ends_at, created_at, updated_at)
        VALUES (?, ?, ?, ?, 0, ?, ?, ?, ?)
        """)
    for a in accounts {
      try account.execute(arguments: [
        a.customerID, a.balance, a.lifetimePoints, a.pointsDebt, a.tier,
        a.tierPeriodEndsAt.map(t), t(a.createdAt), t(a.updatedAt),
      ])
    }
    let entry = try db.makeStatement(
      sql: """
        INSERT INTO ledger_entry (id, customer_id, kind, points, reason, created_at)
        VALUES (?, ?, ?, ?, ?, ?)
        """)
    for e in entries {
      try entry.execute(arguments: [e.id, e.customerID, e.kind, e.points, e.reason, t(e.createdAt)])
    }
    let lot = try db.makeStatement(
      sql: """
        INSERT INTO points_lot (id, customer_id, earn_entry_id, order_id, points, remaining,
          redeemed, expired, reversed, earned_at, expires_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """)
    for l in lots {
      try lot.execute(arguments: [
        l.id, l.customerID, l.earnEntryID, l.orderID, l.points, l.remaining, l.redeemed,
        l.expired, l.reversed, t(l.earnedAt), t(l.expiresAt),
      ])
    }
    let activityRow = try db.makeStatement(
      sql: """
        INSERT INTO tier_activity (customer_id, spend_minor, purchases, points, created_at)
        VALUES (?, ?, ?, ?, ?)
        """)
    for a in activity {
      try activityRow.execute(arguments: [
        a.customerID, a.spendMinor, a.purchases, a.points, t(a.createdAt),
      ])
    }
    let change = try db.makeStatement(
      sql: """
        INSERT INTO tier_change (customer_id, from_tier, to_tier, reason, created_at)
        VALUES (?, ?, ?, ?, ?)
        """)
    for c in tierChanges {
      try change.execute(arguments: [c.customerID, c.fromTier, c.toTier, c.reason, t(c.createdAt)])
    }
    let outboxRow = try db.makeStatement(
      sql: """
        INSERT INTO outbox_event (event_id, destination, customer_id, event, created_at, state,
          attempts, next_attempt_at, last_error, settled_at)
        VALUES (?, ?, ?, ?, ?, 1, 0, ?, NULL, ?)
        """)
    for o in outbox {
      let time = t(o.createdAt)
      try outboxRow.execute(arguments: [
        o.eventID, o.destination, o.customerID, o.event, time, time, time,
      ])
    }
    let inboxRow = try db.makeStatement(
      sql: """
        INSERT INTO inbox_event (event_id, source, rejected_reason, applied_at)
        VALUES (?, ?, NULL, ?)
        """)
    for i in inbox {
      try inboxRow.execute(arguments: [i.eventID, i.source, t(i.appliedAt)])
    }
    let record = try db.makeStatement(
      sql: """
        INSERT INTO idempotency_record (scope, key, request, response, error, created_at)
        VALUES (?, ?, ?, ?, NULL, ?)
        """)
    for r in idempotency {
      try record.execute(arguments: [r.scope, r.key, r.request, r.response, t(r.createdAt)])
    }
    let reversal = try db.makeStatement(
      sql: """
        INSERT INTO points_reversal (refund_id, customer_id, order_id, refund_amount_minor,
          order_amount_minor, currency, points_reversed, points_debt, points_expired,
          points_pending_cancelled, created_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?)
        """)
    for r in reversals {
      try reversal.execute(arguments: [
        r.refundID, r.customerID, r.orderID, r.refundAmountMinor, r.orderAmountMinor, r.currency,
        r.pointsReversed, r.pointsDebt, r.pointsExpired, t(r.createdAt),
      ])
    }
    let coupon = try db.makeStatement(
      sql: """
        INSERT INTO coupon (code, customer_id, kind, discount_percent, valid_from, valid_until,
          redeemed_at)
        VALUES (?, ?, ?, ?, ?, ?, ?)
        """)
    for c in coupons {
      try coupon.execute(arguments: [
        c.code, c.customerID, c.kind, c.discountPercent, t(c.validFrom), t(c.validUntil),
        c.redeemedAt.map(t),
      ])
    }
    let referral = try db.makeStatement(
      sql: "INSERT INTO referral_code (customer_id, code) VALUES (?, ?)")
    for r in referralCodes {
      try referral.execute(arguments: [r.customerID, r.code])
    }
  }
}
