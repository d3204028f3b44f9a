import Foundation
import GRDB

extension InteractionStore {
  /// Care plans, moments, tasks, contact policies, templates, customer copies and dates.
  static func registerCareMigrations(_ migrator: inout DatabaseMigrator) {
    migrator.registerMigration("interaction-threads-v1") { db in
      try db.alter(table: InteractionRecord.databaseTableName) { t in
        t.add(column: "tier", .text).notNull().defaults(to: "")
        t.add(column: "thread_id", .text).notNull().defaults(to: "")
        t.add(column: "task_id", .text)
      }
      // A touch logged before threads existed is a conversation of its own.
      try db.execute(sql: "UPDATE interaction SET thread_id = id")
      try db.create(
        index: "interaction_by_thread_time", on: InteractionRecord.databaseTableName,
        columns: ["thread_id", "actual_at", "id"])
      // Figures over a period scan the log by time.
      try db.create(
        index: "interaction_by_time", on: InteractionRecord.databaseTableName, columns: ["actual_at"])
    }
    migrator.registerMigration("care-v1") { db in
      try db.create(table: TemplateRecord.databaseTableName) { t in
        t.column("id", .text).primaryKey()
        t.column("body", .text).notNull()
        t.column("updated_at", .datetime).notNull()
      }
      try db.create(table: CarePlanRecord.databaseTableName) { t in
        t.column("moment_kind", .text).notNull()
        t.column("tier", .text).notNull()
        t.column("name", .text).notNull()
        t.column("steps", .text).notNull()
        t.column("updated_at", .datetime).notNull()
        t.primaryKey(["moment_kind", "tier"])
      }
      try db.create(table: MomentRecord.databaseTableName) { t in
        t.column("id", .text).primaryKey()
        t.column("customer_id", .text).notNull()
        t.column("kind", .text).notNull()
        t.column("occurrence_id", .text).notNull()
        t.column("occurred_at", .datetime).notNull()
        t.column("tier", .text).notNull()
        t.column("tier_source", .integer).notNull()
        t.column("plan_tier", .text).notNull()
        t.column("recorded_at", .datetime).notNull()
        // Once per occurrence: the same moment twice creates nothing new.
        t.uniqueKey(["customer_id", "kind", "occurrence_id"])
      }
      try db.create(table: CareTaskRecord.databaseTableName) { t in
        t.column("id", .text).primaryKey()
        t.column("customer_id", .text).notNull()
        t.column("moment_id", .text).notNull()
        t.column("moment_kind", .text).notNull()
        t.column("type", .text).notNull()
        t.column("channel", .integer).notNull()
        t.column("owner_role", .text).notNull()
        t.column("owner", .text).notNull()
        t.column("template_id", .text).notNull()
        t.column("transactional", .boolean).notNull()
        t.column("tier", .text).notNull()
        t.column("planned_at", .datetime).notNull()
        t.column("due_at", .datetime).notNull()
        t.column("status", .integer).notNull()
        t.column("deferral_kind", .text)
        t.column("deferral_reason", .text).notNull()
        t.column("completed_at", .datetime)
        t.column("cancel_reason", .text).notNull()
        t.column("created_at", .datetime).notNull()
      }
      // One owner's and one customer's due lists are index range scans.
      try db.create(
        index: "care_task_by_owner_due", on: CareTaskRecord.databaseTableName,
        columns: ["owner", "status", "due_at", "id"])
      try db.create(
        index: "care_task_by_customer_due", on: CareTaskRecord.databaseTableName,
        columns: ["customer_id", "status", "due_at", "id"])
      try db.create(
        index: "care_task_by_moment", on: CareTaskRecord.databaseTableName, columns: ["moment_id"])
      // Figures read tasks by due and planned time.
      try db.create(index: "care_task_by_due", on: CareTaskRecord.databaseTableName, columns: ["due_at"])
      try db.create(
        index: "care_task_by_planned", on: CareTaskRecord.databaseTableName, columns: ["planned_at"])
      try db.create(table: ContactPolicyRecord.databaseTableName) { t in
        t.column("tier", .text).notNull()
        t.column("channel", .integer).notNull()
        t.column("cap_days", .integer).notNull()
        t.column("quiet_start_minute", .integer).notNull()
        t.column("quiet_end_minute", .integer).notNull()
        t.primaryKey(["tier", "channel"])
      }
      try db.create(table: "opt_out") { t in
        t.column("customer_id", .text).notNull()
        t.column("channel", .integer).notNull()
        t.column("created_at", .datetime).notNull()
        t.primaryKey(["customer_id", "channel"])
      }
      try db.create(table: CustomerCopyRecord.databaseTableName) { t in
        t.column("customer_id", .text).primaryKey()
        t.column("display_name", .text).notNull()
        t.column("tier", .text).notNull()
        t.column("lifecycle_stage", .text).notNull()
        t.column("time_zone", .text).notNull()
        t.column("account_manager", .text).notNull()
        t.column("tags", .text).notNull()
        t.column("updated_at", .datetime).notNull()
      }
      try db.create(table: CustomerDateRecord.databaseTableName) { t in
        t.column("customer_id", .text).notNull()
        t.column("kind", .text).notNull()
        t.column("month", .integer).notNull()
        t.column("day", .integer).notNull()
        t.column("year", .integer).notNull()
        t.column("time_zone", .text).notNull()
        t.primaryKey(["customer_id", "kind"])
      }
      // The daily scan reads only the customers whose date is (about) today.
      try db.create(
        index: "customer_date_by_day", on: CustomerDateRecord.databaseTableName, columns: ["month", "day"])
    }
    migrator.registerMigration("care-defaults-v1") { db in
      let now = Date(timeIntervalSince1970: 0)
      for template in DefaultCarePlans.templates {
        try TemplateRecord(id: template.id, body: template.body, updatedAt: now).insert(db)
      }
      for plan in DefaultCarePlans.plans {
        try CarePlanRecord(plan: plan, updatedAt: now).insert(db)
      }
      for policy in DefaultCarePlans.contactPolicies {
        try policy.insert(db)
      }
    }
  }
}
