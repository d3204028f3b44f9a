import Contracts
import Foundation
import GRDB
import SwiftProtobuf

extension SegmentationStore {
  /// The migrations after `events-outbox-inbox-v1`, in the order they were added; only ever
  /// appended.
  static func registerTierMigrations(_ migrator: inout DatabaseMigrator) {
    migrator.registerMigration("lifecycle-tiers-v1") { db in
      let customer = CustomerRecord.databaseTableName
      try db.alter(table: customer) { t in
        t.add(column: "last_activity_at", .datetime)
        t.add(column: "lifecycle_stage", .text).notNull().defaults(to: "")
        t.add(column: "stage_deadline_at", .datetime)
        t.add(column: "loyalty_tier", .text).notNull().defaults(to: "")
        t.add(column: "tier", .text).notNull().defaults(to: "")
        t.add(column: "tier_rule_id", .text).notNull().defaults(to: "")
        t.add(column: "tier_reason", .text).notNull().defaults(to: "")
      }
      // Profiles that predate stages are due now: the first scan stages them.
      try db.execute(
        sql: """
          UPDATE customer SET last_activity_at = last_purchase_at, stage_deadline_at = created_at
          WHERE merged_into IS NULL
          """)
      // The scan reads only the profiles whose window passed: one index range.
      try db.create(
        index: "customer_by_stage_deadline", on: customer, columns: ["stage_deadline_at"],
        condition: Column("stage_deadline_at") != nil)
      try db.create(index: "customer_by_tier", on: customer, columns: ["tier", "id"])
      try db.create(
        index: "customer_by_lifecycle_stage", on: customer, columns: ["lifecycle_stage", "id"])

      try db.create(table: ProfileChangeRecord.databaseTableName) { t in
        t.autoIncrementedPrimaryKey("seq")
        t.column("customer_id", .text).notNull()
        t.column("kind", .integer).notNull()
        t.column("changed_at", .datetime).notNull()
        t.column("from_value", .text).notNull()
        t.column("to_value", .text).notNull()
        t.column("cause", .text).notNull()
      }
      try db.create(
        index: "profile_change_by_customer", on: ProfileChangeRecord.databaseTableName,
        columns: ["customer_id", "seq"])
      try db.create(
        index: "profile_change_by_time", on: ProfileChangeRecord.databaseTableName,
        columns: ["kind", "changed_at"])

      try db.create(table: ActivityRecord.databaseTableName) { t in
        t.column("activity_id", .text).primaryKey()
        t.column("customer_id", .text).notNull().indexed()
        t.column("kind", .text).notNull()
        t.column("activity_at", .datetime).notNull()
        t.column("recorded_at", .datetime).notNull()
        t.column("request_body", .blob).notNull()
      }
      try db.create(table: TierRuleRecord.databaseTableName) { t in
        t.column("id", .text).primaryKey()
        t.column("tier", .text).notNull()
        t.column("priority", .integer).notNull()
        t.column("condition", .blob).notNull()
        t.column("description", .text).notNull()
        t.column("created_at", .datetime).notNull()
        t.column("updated_at", .datetime).notNull()
      }
      try db.create(table: RetierJobRecord.databaseTableName) { t in
        t.column("id", .text).primaryKey()
        t.column("state", .integer).notNull()
        t.column("total", .integer).notNull()
        t.column("done", .integer).notNull()
        t.column("changed", .integer).notNull()
        t.column("cursor", .text).notNull()
        t.column("created_at", .datetime).notNull()
        t.column("finished_at", .datetime)
      }
      try db.create(
        index: "retier_job_by_state", on: RetierJobRecord.databaseTableName,
        columns: ["state", "created_at"])
    }

    // The documents' tiers (DOMAIN.md section 1) as the rules a new store starts with; the
    // operator changes them through the tier-rule RPCs.
    migrator.registerMigration("default-tier-rules-v1") { db in
      let installed = Date(timeIntervalSince1970: 0)
      for rule in DefaultTierRules.rules {
        try TierRuleRecord(
          id: rule.ruleID, tier: rule.tier, priority: Int(rule.priority),
          condition: try rule.condition.serializedBytes(), description: rule.description_p,
          createdAt: installed, updatedAt: installed
        ).insert(db)
      }
      // Profiles already in the store get their tiers from the background re-tier.
      let total = try Int64.fetchOne(
        db, sql: "SELECT COUNT(*) FROM customer WHERE merged_into IS NULL") ?? 0
      try RetierJobRecord(
        id: "default-tier-rules-v1", state: Crm_Segmentation_V1_RetierJob.State.running.rawValue,
        total: total, done: 0, changed: 0, cursor: "", createdAt: installed, finishedAt: nil
      ).insert(db)
    }
  }
}

extension SegmentationStore {
  /// Automatic tag rules; appended after the tier migrations.
  static func registerTagMigrations(_ migrator: inout DatabaseMigrator) {
    migrator.registerMigration("tag-rules-v1") { db in
      try db.create(table: TagRuleRecord.databaseTableName) { t in
        t.column("id", .text).primaryKey()
        t.column("tag", .text).notNull()
        t.column("condition", .blob).notNull()
        t.column("description", .text).notNull()
        t.column("created_at", .datetime).notNull()
      }
      // '' marks a manual tag; otherwise the id of the tag rule that gave it.
      try db.alter(table: CustomerTagRecord.databaseTableName) { t in
        t.add(column: "rule_id", .text).notNull().defaults(to: "")
      }
    }
  }
}

extension SegmentationStore {
  /// Tier strategies, RFM scores and erasure; appended after the tag migrations.
  static func registerStrategyMigrations(_ migrator: inout DatabaseMigrator) {
    migrator.registerMigration("strategies-rfm-erasure-v1") { db in
      try db.alter(table: CustomerRecord.databaseTableName) { t in
        t.add(column: "rfm_recency", .integer).notNull().defaults(to: 0)
        t.add(column: "rfm_frequency", .integer).notNull().defaults(to: 0)
        t.add(column: "rfm_monetary", .integer).notNull().defaults(to: 0)
        t.add(column: "erased_at", .datetime)
      }
      try db.create(table: "tier_strategy") { t in
        t.column("tier", .text).primaryKey()
        t.column("strategy", .blob).notNull()
        t.column("updated_at", .datetime).notNull()
      }
      let installed = Date(timeIntervalSince1970: 0)
      for strategy in DefaultTierStrategies.strategies {
        try db.execute(
          sql: "INSERT INTO tier_strategy (tier, strategy, updated_at) VALUES (?, ?, ?)",
          arguments: [strategy.tier, try strategy.serializedBytes() as Data, installed])
      }
    }
  }
}
