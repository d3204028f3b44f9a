import Foundation
import GRDB
import ServiceKit

/// The loyalty service's own store: accounts, the append-only points ledger, points lots,
/// reversals, and the idempotency ledger.
public struct LoyaltyStore: Sendable {
  /// The underlying database (a WAL pool in production, in memory in tests).
  public let database: any DatabaseWriter

  /// Wraps an opened and migrated database.
  public init(database: any DatabaseWriter) {
    self.database = database
  }

  /// The store's migrations, named and only ever appended.
  public static var migrator: DatabaseMigrator {
    var migrator = DatabaseMigrator()
    IdempotencyLedger.registerMigration(&migrator)
    migrator.registerMigration("points-ledger-v1") { db in
      try db.create(table: AccountRecord.databaseTableName) { t in
        t.column("customer_id", .text).primaryKey()
        t.column("balance", .integer).notNull().check { $0 >= 0 }
        t.column("lifetime_points", .integer).notNull()
        t.column("created_at", .datetime).notNull()
        t.column("updated_at", .datetime).notNull()
      }
      try db.create(table: LedgerEntryRecord.databaseTableName) { t in
        t.column("id", .text).primaryKey()
        t.column("customer_id", .text).notNull()
          .references(AccountRecord.databaseTableName)
        t.column("kind", .text).notNull()
        t.column("points", .integer).notNull()
        t.column("reason", .text).notNull()
        t.column("created_at", .datetime).notNull()
      }
      try db.create(
        index: "ledger_entry_by_customer_time", on: LedgerEntryRecord.databaseTableName,
        columns: ["customer_id", "created_at"])
      // The ledger is append-only: the store itself refuses to change or remove an entry.
      try db.execute(
        sql: """
          CREATE TRIGGER ledger_entry_no_update BEFORE UPDATE ON ledger_entry
          BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END;
          CREATE TRIGGER ledger_entry_no_delete BEFORE DELETE ON ledger_entry
          BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END;
          """)
    }
    registerPointsLots(&migrator)
    // Events from segmentation and trust are applied once each (inbox).
    EventStore.registerMigrations(&migrator)
    registerEarningRules(&migrator)
    registerMemberTiers(&migrator)
    migrator.registerMigration("rewards-catalog-v1") { db in
      try db.create(table: RewardRecord.databaseTableName) { t in
        t.column("reward_id", .text).primaryKey()
        t.column("name", .text).notNull()
        t.column("points_price", .integer).notNull().check { $0 > 0 }
        // The last line of defence against overselling.
        t.column("stock", .integer).notNull().check { $0 >= 0 }
        t.column("per_customer_limit", .integer).notNull().check { $0 >= 0 }
        t.column("active", .boolean).notNull()
        t.column("updated_at", .datetime).notNull()
      }
      try db.create(table: "reward_redemption") { t in
        t.autoIncrementedPrimaryKey("id")
        t.column("reward_id", .text).notNull().references(RewardRecord.databaseTableName)
        t.column("customer_id", .text).notNull().references(AccountRecord.databaseTableName)
        t.column("entry_id", .text).notNull()
        t.column("points", .integer).notNull()
        t.column("created_at", .datetime).notNull()
      }
      try db.create(
        index: "reward_redemption_by_reward_customer", on: "reward_redemption",
        columns: ["reward_id", "customer_id"])
    }
    migrator.registerMigration("coupons-v1") { db in
      try db.create(table: CouponRecord.databaseTableName) { t in
        t.column("code", .text).primaryKey()
        t.column("customer_id", .text).notNull()
        t.column("kind", .text).notNull()
        t.column("discount_percent", .integer).notNull().check { $0 > 0 && $0 <= 100 }
        t.column("valid_from", .datetime).notNull()
        t.column("valid_until", .datetime).notNull()
        t.column("redeemed_at", .datetime)
      }
      try db.create(
        index: "coupon_by_customer", on: CouponRecord.databaseTableName,
        columns: ["customer_id", "valid_from"])
    }
    migrator.registerMigration("referrals-v1") { db in
      try db.create(table: "referral_code") { t in
        t.column("customer_id", .text).primaryKey().references(AccountRecord.databaseTableName)
        t.column("code", .text).notNull().unique()
      }
      try db.create(table: "referral") { t in
        t.column("referred_customer_id", .text).primaryKey()
        t.column("referrer_customer_id", .text).notNull()
        t.column("created_at", .datetime).notNull()
        t.column("rewarded_at", .datetime)
      }
    }
    migrator.registerMigration("cross-sell-v1") { db in
      try db.create(table: "product_association") { t in
        t.column("product_id", .text).notNull()
        t.column("related_product_id", .text).notNull()
        t.column("rank", .integer).notNull()
        t.primaryKey(["product_id", "related_product_id"])
      }
      // The products of each order loyalty has seen: co-purchases come from here.
      try db.create(table: "order_item") { t in
        t.column("order_id", .text).notNull()
        t.column("product_id", .text).notNull()
        t.column("customer_id", .text).notNull()
        t.primaryKey(["order_id", "product_id"])
      }
      try db.create(index: "order_item_by_product", on: "order_item", columns: ["product_id"])
      try db.create(index: "order_item_by_customer", on: "order_item", columns: ["customer_id"])
    }
    registerFigures(&migrator)
    registerPlans(&migrator)
    // Kit-level, appended last: the audit trail of privileged calls.
    AuditTrail.registerMigrations(&migrator)
    // Events that arrived before what they depend on wait here (appended after the audit trail).
    ParkedEvents.registerMigrations(&migrator)
    // The orders seen, so that a reversal arriving first waits for its purchase.
    LoyaltyService.registerEventMigrations(&migrator)
    return migrator
  }

  /// Indexes that let the figures read a period of the ledger, lots and pending points by
  /// time, and the accounts' tiers and balances, without touching the tables' rows.
  private static func registerFigures(_ migrator: inout DatabaseMigrator) {
    migrator.registerMigration("figures-v1") { db in
      // Covering: the sums by kind and the participating accounts come from the index alone.
      try db.create(
        index: "ledger_entry_by_kind_time", on: LedgerEntryRecord.databaseTableName,
        columns: ["kind", "created_at", "customer_id", "points"])
      try db.create(
        index: "points_lot_order_by_time", on: PointsLotRecord.databaseTableName,
        columns: ["earned_at", "customer_id", "order_id"], condition: Column("order_id") != "")
      try db.create(
        index: "pending_points_by_time", on: PendingPointsRecord.databaseTableName,
        columns: ["earned_at", "customer_id", "order_id"])
      try db.create(
        index: "loyalty_account_by_created", on: AccountRecord.databaseTableName,
        columns: ["created_at"])
      try db.create(
        index: "loyalty_account_tier_liability", on: AccountRecord.databaseTableName,
        columns: ["tier", "balance", "pending_points"])
    }
  }

  /// Long-term plans: annual memberships and B2B framework agreements.
  private static func registerPlans(_ migrator: inout DatabaseMigrator) {
    migrator.registerMigration("plans-v1") { db in
      try db.create(table: PlanRecord.databaseTableName) { t in
        t.column("plan_id", .text).primaryKey()
        t.column("customer_id", .text).notNull()
        t.column("kind", .integer).notNull()
        t.column("discount_bps", .integer).notNull().check { $0 >= 0 && $0 <= 10_000 }
        t.column("start_at", .datetime).notNull()
        t.column("end_at", .datetime).notNull()
        // One term: whole calendar months, then seconds (an annual plan is 12 months, 0 s).
        t.column("term_months", .integer).notNull().check { $0 >= 0 }
        t.column("term_seconds", .integer).notNull().check { $0 >= 0 }
        t.column("auto_renew", .boolean).notNull()
        t.column("renewals", .integer).notNull()
        t.column("created_at", .datetime).notNull()
        t.column("cancelled_at", .datetime)
        t.check(sql: "term_months > 0 OR term_seconds > 0")
      }
      try db.create(
        index: "plan_by_customer", on: PlanRecord.databaseTableName,
        columns: ["customer_id", "start_at"])
    }
  }

  /// The tier program, members' tiers and periods, qualifying activity, and tier changes.
  private static func registerMemberTiers(_ migrator: inout DatabaseMigrator) {
    migrator.registerMigration("member-tiers-v1") { db in
      try db.alter(table: AccountRecord.databaseTableName) { t in
        t.add(column: "tier", .text).notNull().defaults(to: "")
        t.add(column: "tier_period_ends_at", .datetime)
      }
      try db.create(
        index: "loyalty_account_tier_review", on: AccountRecord.databaseTableName,
        columns: ["tier_period_ends_at"], condition: Column("tier_period_ends_at") != nil)
      try db.create(table: "tier_program") { t in
        t.column("id", .integer).primaryKey().check { $0 == 1 }
        t.column("program", .blob).notNull()
        t.column("updated_at", .datetime).notNull()
      }
      // What counts towards a tier, one row per purchase or earn, summed over the window.
      try db.create(table: "tier_activity") { t in
        t.autoIncrementedPrimaryKey("id")
        t.column("customer_id", .text).notNull()
        t.column("spend_minor", .integer).notNull()
        t.column("purchases", .integer).notNull()
        t.column("points", .integer).notNull()
        t.column("created_at", .datetime).notNull()
      }
      try db.create(
        index: "tier_activity_by_customer", on: "tier_activity",
        columns: ["customer_id", "created_at"])
      try db.create(table: TierChangeRecord.databaseTableName) { t in
        t.autoIncrementedPrimaryKey("id")
        t.column("customer_id", .text).notNull().references(AccountRecord.databaseTableName)
        t.column("from_tier", .text).notNull()
        t.column("to_tier", .text).notNull()
        t.column("reason", .text).notNull()
        t.column("created_at", .datetime).notNull()
      }
      try db.create(
        index: "tier_change_by_customer", on: TierChangeRecord.databaseTableName,
        columns: ["customer_id", "created_at"])
      try db.create(
        index: "tier_change_by_time", on: TierChangeRecord.databaseTableName,
        columns: ["created_at"])
    }
  }

  /// Earning rules as data, pending points, and the actions already rewarded.
  private static func registerEarningRules(_ migrator: inout DatabaseMigrator) {
    migrator.registerMigration("earning-rules-v1") { db in
      try db.alter(table: AccountRecord.databaseTableName) { t in
        t.add(column: "pending_points", .integer).notNull().defaults(to: 0).check { $0 >= 0 }
      }
      try db.alter(table: PointsReversalRecord.databaseTableName) { t in
        t.add(column: "points_pending_cancelled", .integer).notNull().defaults(to: 0)
      }
      // One row: the EarningRules message in force.
      try db.create(table: "earning_rules") { t in
        t.column("id", .integer).primaryKey().check { $0 == 1 }
        t.column("rules", .blob).notNull()
        t.column("updated_at", .datetime).notNull()
      }
      try db.create(table: PendingPointsRecord.databaseTableName) { t in
        t.autoIncrementedPrimaryKey("id")
        t.column("customer_id", .text).notNull().references(AccountRecord.databaseTableName)
        t.column("order_id", .text).notNull()
        t.column("points", .integer).notNull().check { $0 > 0 }
        t.column("cancelled", .integer).notNull().check { $0 >= 0 }
        t.column("reason", .text).notNull()
        t.column("earned_at", .datetime).notNull()
        t.column("available_at", .datetime).notNull()
        t.column("state", .text).notNull()
        t.check(sql: "cancelled <= points")
      }
      try db.create(
        index: "pending_points_due", on: PendingPointsRecord.databaseTableName,
        columns: ["available_at", "id"], condition: Column("state") == "pending")
      try db.create(
        index: "pending_points_by_customer", on: PendingPointsRecord.databaseTableName,
        columns: ["customer_id", "available_at"], condition: Column("state") == "pending")
      try db.create(
        index: "pending_points_by_order", on: PendingPointsRecord.databaseTableName,
        columns: ["customer_id", "order_id"])
      // Each action and reference earns once per customer, whatever key it comes with.
      try db.create(table: "action_reward") { t in
        t.column("customer_id", .text).notNull().references(AccountRecord.databaseTableName)
        t.column("action", .text).notNull()
        t.column("reference_id", .text).notNull()
        t.column("entry_id", .text).notNull()
        t.column("created_at", .datetime).notNull()
        t.primaryKey(["customer_id", "action", "reference_id"])
      }
    }
  }

  /// Lots (what is left of each earn, and when it expires), the account's debt, and the
  /// record of reversed refunds.
  private static func registerPointsLots(_ migrator: inout DatabaseMigrator) {
    migrator.registerMigration("points-lots-v1") { db in
      try db.alter(table: AccountRecord.databaseTableName) { t in
        t.add(column: "points_debt", .integer).notNull().defaults(to: 0).check { $0 >= 0 }
      }
      try db.create(table: PointsLotRecord.databaseTableName) { t in
        t.autoIncrementedPrimaryKey("id")
        t.column("customer_id", .text).notNull().references(AccountRecord.databaseTableName)
        t.column("earn_entry_id", .text).references(LedgerEntryRecord.databaseTableName)
        t.column("order_id", .text).notNull()
        t.column("points", .integer).notNull().check { $0 > 0 }
        t.column("remaining", .integer).notNull().check { $0 >= 0 }
        t.column("redeemed", .integer).notNull().check { $0 >= 0 }
        t.column("expired", .integer).notNull().check { $0 >= 0 }
        t.column("reversed", .integer).notNull().check { $0 >= 0 }
        t.column("earned_at", .datetime).notNull()
        t.column("expires_at", .datetime).notNull()
        t.check(sql: "points = remaining + redeemed + expired + reversed")
      }
      // Redeem walks a customer's open lots by expiry; the expiry scan walks all open lots.
      try db.create(
        index: "points_lot_open_by_customer", on: PointsLotRecord.databaseTableName,
        columns: ["customer_id", "expires_at", "id"], condition: Column("remaining") > 0)
      try db.create(
        index: "points_lot_open_by_expiry", on: PointsLotRecord.databaseTableName,
        columns: ["expires_at", "id"], condition: Column("remaining") > 0)
      try db.create(
        index: "points_lot_by_order", on: PointsLotRecord.databaseTableName,
        columns: ["customer_id", "order_id"])
      try db.create(table: PointsReversalRecord.databaseTableName) { t in
        t.primaryKey("refund_id", .text)
        t.column("customer_id", .text).notNull().references(AccountRecord.databaseTableName)
        t.column("order_id", .text).notNull()
        t.column("refund_amount_minor", .integer).notNull()
        t.column("order_amount_minor", .integer).notNull()
        t.column("currency", .text).notNull()
        t.column("points_reversed", .integer).notNull()
        t.column("points_debt", .integer).notNull()
        t.column("points_expired", .integer).notNull()
        t.column("created_at", .datetime).notNull()
      }
      try db.create(
        index: "points_reversal_by_order", on: PointsReversalRecord.databaseTableName,
        columns: ["customer_id", "order_id"])
      // Balances earned before lots existed become one lot per account, valid for the default
      // 12 months from the account's last change, so that redeem and expiry find every point.
      try db.execute(
        sql: """
          INSERT INTO points_lot
            (customer_id, earn_entry_id, order_id, points, remaining, redeemed, expired, reversed,
             earned_at, expires_at)
          SELECT customer_id, NULL, '', balance, balance, 0, 0, 0, updated_at,
                 strftime('%Y-%m-%d %H:%M:%f', updated_at, '+12 months')
          FROM loyalty_account WHERE balance > 0
          """)
    }
  }
}
