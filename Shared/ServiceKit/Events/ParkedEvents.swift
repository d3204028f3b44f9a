import Contracts
import Foundation
import GRDB
import GRPCCore

/// What an ``EventApplier`` throws when an event cannot apply *yet*: what it depends on comes
/// from another sender (a refund claim's reversal from trust before the purchase from
/// segmentation) and has not arrived.
///
/// The sink then parks the event instead of rejecting it, acknowledges it to its sender, and
/// tries it again after each later event of the same customer applies. Only an event that can
/// never apply is a ``ServiceError``.
public struct EventNotReady: Error, Hashable, Sendable, CustomStringConvertible {
  /// What the event waits for, kept with the parked event.
  public let reason: String

  /// An event waiting for `reason`.
  public init(reason: String) {
    self.reason = reason
  }

  public var description: String { reason }
}

extension EventNotReady: RPCErrorConvertible {
  // Only the sink expects this error; anywhere else "not yet" is a retryable UNAVAILABLE.
  public var rpcErrorCode: RPCError.Code { .unavailable }
  public var rpcErrorMessage: String { RPCErrorMapping.capped(reason) }
}

/// What became of one attempt to apply an event.
enum EventOutcome: Equatable {
  case applied
  /// Never applicable: the sender is told, and stops retrying.
  case rejected(String)
  /// Applicable later: parked until what it depends on arrives.
  case notReady(String)

  /// Applies `event` in a savepoint: a rejection or a "not yet" undoes whatever the applier
  /// wrote; any other error is thrown and fails the caller's transaction (retried later).
  static func attempt(
    _ event: Crm_Events_V1_Event, applier: any EventApplier, in db: Database, now: Date
  ) throws -> EventOutcome {
    var outcome = EventOutcome.applied
    try db.inSavepoint {
      do {
        try applier.apply(event, in: db, now: now)
        return .commit
      } catch let error as ServiceError where !error.isTransient {
        outcome = .rejected(error.rpcErrorMessage)
        return .rollback
      } catch let error as EventNotReady {
        outcome = .notReady(RPCErrorMapping.capped(error.reason))
        return .rollback
      }
    }
    return outcome
  }
}

/// Events a receiver accepted before what they depend on had arrived, in its own store.
///
/// A parked event is already in `inbox_event` (so a redelivery changes nothing) and was
/// acknowledged to its sender, so from then on the receiver alone is responsible for it: it
/// stays in `parked_event` until it applies (the row goes), until it turns out never to apply,
/// or until it has waited longer than the retention; in the last two cases the row stays, with
/// `rejected_at` and its reason, and the inbox records the rejection.
public enum ParkedEvents {
  /// How long an event may wait for what it depends on. A week covers a sender down over a
  /// long weekend with time to spare; a prerequisite later than that is taken as never coming.
  public static let defaultRetention: TimeInterval = 7 * 86_400

  /// Adds the `parked_event` table to a receiving service's migrations (append it last).
  public static func registerMigrations(_ migrator: inout DatabaseMigrator) {
    migrator.registerMigration("events-parked-v1") { db in
      try db.create(table: "parked_event") { t in
        // Arrival order: parked events of a customer are tried again in this order.
        t.autoIncrementedPrimaryKey("seq")
        t.column("event_id", .text).notNull().unique()
        t.column("source", .text).notNull()
        t.column("customer_id", .text).notNull()
        t.column("event", .blob).notNull()
        t.column("reason", .text).notNull()
        t.column("parked_at", .datetime).notNull()
        t.column("attempts", .integer).notNull()
        t.column("last_attempt_at", .datetime).notNull()
        t.column("rejected_at", .datetime)
      }
      try db.execute(
        sql: """
          CREATE INDEX parked_event_waiting ON parked_event(customer_id, seq)
            WHERE rejected_at IS NULL;
          CREATE INDEX parked_event_by_age ON parked_event(parked_at) WHERE rejected_at IS NULL;
          """)
    }
  }

  /// Parks `event`, which could not apply yet because of `reason`.
  static func park(
    _ db: Database, _ event: Crm_Events_V1_Event, reason: String, now: Date
  ) throws {
    let bytes: Data = try event.serializedBytes()
    try db.execute(
      sql: """
        INSERT INTO parked_event
          (event_id, source, customer_id, event, reason, parked_at, attempts, last_attempt_at)
        VALUES (?, ?, ?, ?, ?, ?, 1, ?)
        """,
      arguments: [event.eventID, event.source, event.customerID, bytes, reason, now, now])
  }

  /// Tries again the waiting events of `customers`, oldest first, and again after any of them
  /// applies (one may be what the next waits for), until a pass applies nothing.
  static func retry(
    _ db: Database, customers: Set<String>, applier: any EventApplier, now: Date
  ) throws {
    var customers = customers
    while !customers.isEmpty, try hasWaiting(db) {
      let placeholders = Array(repeating: "?", count: customers.count).joined(separator: ", ")
      let waiting = try ParkedEvent.fetchAll(
        db,
        sql: """
          SELECT seq, event_id, customer_id, event FROM parked_event
          WHERE rejected_at IS NULL AND customer_id IN (\(placeholders)) ORDER BY seq
          """,
        arguments: StatementArguments(Array(customers)))
      customers = []
      for parked in waiting {
        if try settle(db, parked, applier: applier, now: now) == .applied {
          customers.insert(parked.customerID)
        }
      }
    }
  }

  /// Gives every event that has waited longer than `retention` one last try, and rejects the
  /// ones that still cannot apply, keeping what they waited for as the reason.
  static func expire(
    _ db: Database, retention: TimeInterval, applier: any EventApplier, now: Date
  ) throws {
    guard try hasWaiting(db) else { return }
    let expired = try ParkedEvent.fetchAll(
      db,
      sql: """
        SELECT seq, event_id, customer_id, event FROM parked_event
        WHERE rejected_at IS NULL AND parked_at < ? ORDER BY seq
        """,
      arguments: [now.addingTimeInterval(-retention)])
    for parked in expired {
      guard case .notReady(let reason) = try settle(db, parked, applier: applier, now: now) else {
        continue
      }
      let why = "not applicable within \(describe(retention)): \(reason)"
      try reject(db, parked, reason: why, now: now)
    }
  }

  private static func describe(_ retention: TimeInterval) -> String {
    let days = retention / 86_400
    return days.rounded() == days ? "\(Int(days)) days" : "\(Int(retention.rounded())) s"
  }

  private static func hasWaiting(_ db: Database) throws -> Bool {
    try Bool.fetchOne(
      db, sql: "SELECT EXISTS (SELECT 1 FROM parked_event WHERE rejected_at IS NULL)") ?? false
  }

  /// One more try of a parked event; the row follows the outcome.
  private static func settle(
    _ db: Database, _ parked: ParkedEvent, applier: any EventApplier, now: Date
  ) throws -> EventOutcome {
    let event: Crm_Events_V1_Event
    do {
      event = try Crm_Events_V1_Event(serializedBytes: parked.event)
    } catch {
      let reason = "stored event could not be read: \(error)"
      try reject(db, parked, reason: reason, now: now)
      return .rejected(reason)
    }
    let outcome = try EventOutcome.attempt(event, applier: applier, in: db, now: now)
    switch outcome {
    case .applied:
      try db.execute(sql: "DELETE FROM parked_event WHERE seq = ?", arguments: [parked.seq])
    case .rejected(let reason):
      try reject(db, parked, reason: reason, now: now, attempted: true)
    case .notReady(let reason):
      try db.execute(
        sql: """
          UPDATE parked_event SET attempts = attempts + 1, reason = ?, last_attempt_at = ?
          WHERE seq = ?
          """,
        arguments: [reason, now, parked.seq])
    }
    return outcome
  }

  private static func reject(
    _ db: Database, _ parked: ParkedEvent, reason: String, now: Date, attempted: Bool = false
  ) throws {
    let reason = RPCErrorMapping.capped(reason)
    try db.execute(
      sql: """
        UPDATE parked_event
        SET attempts = attempts + ?, reason = ?, last_attempt_at = ?, rejected_at = ?
        WHERE seq = ?
        """,
      arguments: [attempted ? 1 : 0, reason, now, now, parked.seq])
    // A redelivery is now answered as rejected, as for an event rejected on arrival.
    try db.execute(
      sql: "UPDATE inbox_event SET rejected_reason = ? WHERE event_id = ?",
      arguments: [reason, parked.eventID])
  }
}

/// One waiting row of `parked_event`.
private struct ParkedEvent: FetchableRecord, Decodable {
  var seq: Int64
  var eventID: String
  var customerID: String
  var event: Data

  enum CodingKeys: String, CodingKey {
    case seq, event
    case eventID = "event_id"
    case customerID = "customer_id"
  }
}
