import Foundation
import GRDB

extension FeedbackStore {
  /// The migrations after "tickets-v1", in order; append new ones at the end, never edit these.
  static func registerLifecycleMigrations(_ migrator: inout DatabaseMigrator) {
    migrator.registerMigration("categories-v1") { db in
      try db.create(table: CategoryRecord.databaseTableName) { t in
        t.column("path", .text).primaryKey()
        t.column("parent_path", .text).indexed().references(CategoryRecord.databaseTableName)
        t.column("display_name", .text).notNull()
        t.column("created_at", .datetime).notNull()
      }
      // A fresh store must accept tickets at once (other services and the interop test create
      // them on an empty store), so it starts with the playbook's known pain points.
      let seededAt = Date()
      for (path, name) in seedCategoriesV1 {
        let parent = path.split(separator: "/").dropLast().joined(separator: "/")
        try CategoryRecord(
          path: path, parentPath: parent.isEmpty ? nil : parent, displayName: name,
          createdAt: seededAt
        ).insert(db)
      }
    }

    migrator.registerMigration("sla-policies-v1") { db in
      try db.create(table: SLAPolicyRecord.databaseTableName) { t in
        t.column("id", .text).primaryKey()
        t.column("rank", .integer).notNull().unique()
        t.column("kind", .integer).notNull()
        t.column("priority", .integer).notNull()
        t.column("channel", .integer).notNull()
        t.column("category_prefix", .text).notNull()
        t.column("first_response_seconds", .integer).notNull()
        t.column("next_update_seconds", .integer).notNull()
        t.column("resolution_seconds", .integer).notNull()
      }
      // Explicit columns: the record has gained columns in later migrations, and this one must
      // insert what it always did.
      for policy in seedPoliciesV1 {
        try db.execute(
          sql: """
            INSERT INTO sla_policy (id, rank, kind, priority, channel, category_prefix,
              first_response_seconds, next_update_seconds, resolution_seconds)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
          arguments: [
            policy.id, policy.rank, policy.kind, policy.priority, policy.channel,
            policy.categoryPrefix, policy.firstResponseSeconds, policy.nextUpdateSeconds,
            policy.resolutionSeconds,
          ])
      }
    }

    migrator.registerMigration("ticket-lifecycle-v1") { db in
      try db.alter(table: TicketRecord.databaseTableName) { t in
        t.add(column: "owner_id", .text).notNull().defaults(to: "")
        t.add(column: "resolved_at", .datetime)
        t.add(column: "sla_policy_id", .text).notNull().defaults(to: "")
      }
      try db.create(
        index: "ticket_on_owner", on: TicketRecord.databaseTableName, columns: ["owner_id"])
      try db.create(table: SLAClockRecord.databaseTableName) { t in
        t.autoIncrementedPrimaryKey("id")
        t.column("ticket_id", .text).notNull().references(TicketRecord.databaseTableName)
        t.column("kind", .integer).notNull()
        t.column("state", .integer).notNull()
        t.column("started_at", .datetime).notNull()
        t.column("due_at", .datetime).notNull()
        t.column("paused_at", .datetime)
        t.column("ended_at", .datetime)
      }
      try db.create(
        index: "sla_clock_on_ticket", on: SLAClockRecord.databaseTableName,
        columns: ["ticket_id", "kind"])
      // The breach scan reads only running clocks by due time, whatever the number of tickets.
      try db.create(
        index: "sla_clock_on_state_due", on: SLAClockRecord.databaseTableName,
        columns: ["state", "due_at"])
      try db.create(table: TicketEventRecord.databaseTableName) { t in
        t.autoIncrementedPrimaryKey("id")
        t.column("ticket_id", .text).notNull().references(TicketRecord.databaseTableName)
        t.column("type", .integer).notNull()
        t.column("actor_id", .text).notNull()
        t.column("occurred_at", .datetime).notNull()
        t.column("from_status", .integer).notNull()
        t.column("to_status", .integer).notNull()
        t.column("clock_kind", .integer).notNull()
        t.column("owner_id", .text).notNull()
        t.column("note", .text).notNull()
        t.column("csat_score", .integer).notNull()
      }
      try db.create(
        index: "ticket_event_on_ticket", on: TicketEventRecord.databaseTableName,
        columns: ["ticket_id", "id"])
      // Tickets from before this migration get what a new one gets: a history that starts with
      // its creation and, while still unanswered, a running first-response clock. Raw values:
      // event CREATED 1, clock FIRST_RESPONSE 1, state RUNNING 1, status RECEIVED 1.
      try db.execute(
        sql: """
          INSERT INTO ticket_event (ticket_id, type, actor_id, occurred_at, from_status, to_status,
                                    clock_kind, owner_id, note, csat_score)
          SELECT id, 1, customer_id, created_at, 0, status, 0, '', '', 0
          FROM ticket ORDER BY created_at;
          INSERT INTO sla_clock (ticket_id, kind, state, started_at, due_at)
          SELECT id, 1, 1, created_at, first_response_due_at FROM ticket WHERE status = 1;
          """)
    }

    migrator.registerMigration("csat-answers-v1") { db in
      try db.create(table: CsatAnswerRecord.databaseTableName) { t in
        t.primaryKey("ticket_id", .text).references(TicketRecord.databaseTableName)
        t.column("customer_id", .text).notNull()
        t.column("agent_id", .text).notNull().indexed()
        t.column("score", .integer).notNull()
        t.column("comment", .text).notNull()
        t.column("submitted_at", .datetime).notNull()
      }
    }
  }

  /// The tree a fresh store starts with (frozen: "categories-v1" seeds it; a change is a new
  /// migration): the playbook's dedicated channels (late service,
  /// complex operation) and the usual after-sales topics.
  static let seedCategoriesV1: [(path: String, name: String)] = [
    ("service", "Service"), ("service/late", "Late service"),
    ("service/attitude", "Staff attitude"),
    ("operation", "Operation"), ("operation/complex", "Too complex to operate"),
    ("delivery", "Delivery"), ("delivery/late", "Late delivery"),
    ("delivery/damaged", "Damaged in delivery"),
    ("product", "Product"), ("product/quality", "Product quality"),
    ("billing", "Billing"), ("other", "Other"),
  ]

  /// The policies a fresh store starts with (frozen: "sla-policies-v1" seeds them; a change is
  /// a new migration), the documents' figures. Complaints first (respond within the priority's
  /// tier and at most 1 hour, a solution within 24 hours); then feedback gathered by surveys and reviews, which
  /// runs on the loop's own clock (acknowledge in 24 hours); then the response tiers by
  /// priority (urgent 10 minutes, normal 30, enquiry 1 hour) with the loop's progress update in
  /// 48 hours and result in 7 days.
  static let seedPoliciesV1: [SLAPolicyRecord] = {
    let minute = 60, hour = 3600, day = 86400
    func policy(
      _ id: String, _ rank: Int, kind: Int = 0, priority: Int, channel: Int = 0, _ first: Int,
      _ update: Int, _ resolution: Int
    ) -> SLAPolicyRecord {
      SLAPolicyRecord(
        id: id, rank: rank, kind: kind, priority: priority, channel: channel, categoryPrefix: "",
        firstResponseSeconds: first, nextUpdateSeconds: update, resolutionSeconds: resolution)
    }
    // Raw values: kind complaint 2, feedback 1; priority urgent 1, normal 2, enquiry 3;
    // channel survey 3, review 6.
    return [
      policy("complaint-urgent", 10, kind: 2, priority: 1, 10 * minute, 48 * hour, 24 * hour),
      policy("complaint-normal", 11, kind: 2, priority: 2, 30 * minute, 48 * hour, 24 * hour),
      policy("complaint-enquiry", 12, kind: 2, priority: 3, 1 * hour, 48 * hour, 24 * hour),
      policy("loop-survey", 20, kind: 1, priority: 2, channel: 3, 24 * hour, 48 * hour, 7 * day),
      policy("loop-review", 21, kind: 1, priority: 2, channel: 6, 24 * hour, 48 * hour, 7 * day),
      policy("tier-urgent", 30, priority: 1, 10 * minute, 48 * hour, 7 * day),
      policy("tier-normal", 31, priority: 2, 30 * minute, 48 * hour, 7 * day),
      policy("tier-enquiry", 32, priority: 3, 1 * hour, 48 * hour, 7 * day),
    ]
  }()
}
