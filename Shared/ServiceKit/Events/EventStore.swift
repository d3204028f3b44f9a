import Contracts
import Foundation
import GRDB
import SwiftProtobuf

/// The outbox and inbox tables a service keeps in its own store.
///
/// The sender records an event in `outbox_event` in the same transaction as the change that
/// caused it, so an event exists exactly when its change does; the relay delivers it later.
/// The receiver records each event id it applied (or parked) in `inbox_event` in the same
/// transaction as the effect, so a redelivery is recognised and changes nothing.
public enum EventStore {
  /// Adds the outbox and inbox tables to a service's migrations.
  public static func registerMigrations(_ migrator: inout DatabaseMigrator) {
    migrator.registerMigration("events-outbox-inbox-v1") { db in
      try db.create(table: "outbox_event") { t in
        t.autoIncrementedPrimaryKey("seq")
        t.column("event_id", .text).notNull()
        t.column("destination", .text).notNull()
        t.column("customer_id", .text).notNull()
        t.column("event", .blob).notNull()
        t.column("created_at", .datetime).notNull()
        t.column("state", .integer).notNull().defaults(to: OutboxState.pending.rawValue)
        t.column("attempts", .integer).notNull().defaults(to: 0)
        t.column("next_attempt_at", .datetime).notNull()
        t.column("last_error", .text)
        t.column("settled_at", .datetime)
        t.uniqueKey(["event_id", "destination"])
      }
      // The relay reads the head of each destination's queue: pending rows in order.
      try db.execute(
        sql: "CREATE INDEX outbox_event_pending ON outbox_event(destination, seq) WHERE state = 0")
      try db.create(table: "inbox_event") { t in
        t.column("event_id", .text).primaryKey()
        t.column("source", .text).notNull()
        t.column("rejected_reason", .text)
        t.column("applied_at", .datetime).notNull()
      }
    }
  }

  /// Records `event` for each destination, inside the caller's transaction.
  public static func enqueue(
    _ db: Database, _ event: Crm_Events_V1_Event, to destinations: [SuiteService], now: Date
  ) throws {
    let bytes: Data = try event.serializedBytes()
    for destination in destinations {
      try db.execute(
        sql: """
          INSERT INTO outbox_event (event_id, destination, customer_id, event, created_at, next_attempt_at)
          VALUES (?, ?, ?, ?, ?, ?)
          """,
        arguments: [event.eventID, destination.rawValue, event.customerID, bytes, now, now])
    }
  }

  /// A new event from `source` about `customerID`, with a fresh id.
  public static func event(
    from source: SuiteService, customerID: String, at time: Date,
    payload: Crm_Events_V1_Event.OneOf_Payload
  ) -> Crm_Events_V1_Event {
    .with {
      $0.eventID = UUID().uuidString.lowercased()
      $0.source = source.rawValue
      $0.customerID = customerID
      $0.occurTime = Google_Protobuf_Timestamp(storeDate: time)
      $0.payload = payload
    }
  }
}

/// Where an outbox row stands.
enum OutboxState: Int {
  case pending = 0
  case delivered = 1
  case rejected = 2
}
