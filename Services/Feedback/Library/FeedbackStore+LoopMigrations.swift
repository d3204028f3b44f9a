import Foundation
import GRDB
import ServiceKit

extension FeedbackStore {
  /// The migrations after "csat-answers-v1", in order; append new ones at the end, never edit
  /// these.
  static func registerLoopMigrations(_ migrator: inout DatabaseMigrator) {
    // The outbox (ComplaintResolved to interaction, CustomerActivity to segmentation) and the
    // inbox of applied events (ReviewPublished from trust).
    EventStore.registerMigrations(&migrator)

    migrator.registerMigration("sla-policy-tier-calendar-v1") { db in
      try db.alter(table: SLAPolicyRecord.databaseTableName) { t in
        t.add(column: "customer_tier", .text).notNull().defaults(to: "")
        t.add(column: "calendar", .text).notNull().defaults(to: "")
      }
    }

    migrator.registerMigration("escalation-v1") { db in
      try db.create(table: EscalationRuleRecord.databaseTableName) { t in
        t.column("id", .text).primaryKey()
        t.column("clock_kind", .integer).notNull()
        t.column("trigger", .integer).notNull()
        t.column("elapsed_percent", .integer).notNull()
        t.column("priority", .integer).notNull()
        t.column("kind", .integer).notNull()
        t.column("raise_priority", .boolean).notNull()
        t.column("reassign_owner_id", .text).notNull()
        t.column("reassign_team_id", .text).notNull()
        t.column("notify_account_manager", .boolean).notNull()
        t.column("created_at", .datetime).notNull()
      }
      // A rule acts once per clock run.
      try db.create(table: "escalation_firing") { t in
        t.column("clock_id", .integer).notNull().references(SLAClockRecord.databaseTableName)
        t.column("rule_id", .text).notNull().references(EscalationRuleRecord.databaseTableName)
        t.column("fired_at", .datetime).notNull()
        t.primaryKey(["clock_id", "rule_id"])
      }
      try db.alter(table: SLAClockRecord.databaseTableName) { t in
        t.add(column: "escalate_at", .datetime)
      }
      // The scan reads only running clocks whose next escalation has come.
      try db.create(
        index: "sla_clock_on_state_escalate", on: SLAClockRecord.databaseTableName,
        columns: ["state", "escalate_at"])
      try db.alter(table: TicketRecord.databaseTableName) { t in
        t.add(column: "team_id", .text).notNull().defaults(to: "")
      }
      try db.create(
        index: "ticket_on_team", on: TicketRecord.databaseTableName, columns: ["team_id"])
      try db.alter(table: TicketEventRecord.databaseTableName) { t in
        t.add(column: "priority", .integer).notNull().defaults(to: 0)
        t.add(column: "team_id", .text).notNull().defaults(to: "")
      }
    }

    migrator.registerMigration("nps-answers-v1") { db in
      try db.create(table: NpsAnswerRecord.databaseTableName) { t in
        t.primaryKey("survey_id", .text)
        t.column("customer_id", .text).notNull().indexed()
        t.column("ticket_id", .text).notNull()
        t.column("agent_id", .text).notNull()
        t.column("score", .integer).notNull()
        t.column("comment", .text).notNull()
        t.column("submitted_at", .datetime).notNull().indexed()
      }
    }

    // The figures read windows of creation, resolution and clock ends, and a customer's
    // earlier tickets of a category (the repeat rate).
    migrator.registerMigration("figures-indexes-v1") { db in
      try db.create(
        index: "ticket_on_created", on: TicketRecord.databaseTableName, columns: ["created_at"])
      try db.create(
        index: "ticket_on_resolved", on: TicketRecord.databaseTableName, columns: ["resolved_at"])
      try db.create(
        index: "ticket_on_customer_category", on: TicketRecord.databaseTableName,
        columns: ["customer_id", "category", "created_at"])
      try db.create(
        index: "sla_clock_on_ended", on: SLAClockRecord.databaseTableName, columns: ["ended_at"])
      try db.create(
        index: "csat_answer_on_submitted", on: CsatAnswerRecord.databaseTableName,
        columns: ["submitted_at"])
    }

    // A customer's tickets and an owner's queue, read in ticket-id order (keyset paging).
    migrator.registerMigration("ticket-queues-v1") { db in
      try db.create(
        index: "ticket_on_customer_and_id", on: TicketRecord.databaseTableName, columns: ["customer_id", "id"])
      try db.create(
        index: "ticket_on_owner_and_id", on: TicketRecord.databaseTableName, columns: ["owner_id", "id"])
    }
  }
}
