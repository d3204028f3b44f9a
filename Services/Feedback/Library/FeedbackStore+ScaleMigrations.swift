import Foundation
import GRDB

extension FeedbackStore {
  /// The migrations after "knowledge-base-v1", in order; append new ones at the end, never
  /// edit these.
  static func registerScaleMigrations(_ migrator: inout DatabaseMigrator) {
    // At a million tickets an owner holds thousands, nearly all closed: the open queue and the
    // breach list read only the rows they return instead of walking the owner's whole past.
    migrator.registerMigration("open-queues-and-breaches-v1") { db in
      // Closed is status 7; ListTickets (without include_closed) names the same condition.
      try db.execute(
        sql: "CREATE INDEX ticket_open_on_owner_and_id ON ticket(owner_id, id) WHERE status != 7")
      // Breached is state 4; ListBreaches probes it once per ticket of the owner or team.
      try db.execute(
        sql: """
          CREATE INDEX sla_clock_breached_on_ticket ON sla_clock(ticket_id, id) WHERE state = 4
          """)
      // Hot issues by issue walk a window's tickets for their ids (to find their links): from
      // this index alone, without reading each ticket's row.
      try db.create(
        index: "ticket_on_created_and_id", on: TicketRecord.databaseTableName,
        columns: ["created_at", "id"])
    }
  }
}
