import Contracts
import Foundation
import GRDB
import GRPCCore
import Logging

/// What a receiving service does with an event; called inside its write transaction, at most
/// once per event id.
public protocol EventApplier: Sendable {
  /// Applies `event`. Throwing ``EventNotReady`` parks it until what it depends on has
  /// arrived (another sender's event); a non-transient ``ServiceError`` rejects it for good
  /// (the sender stops retrying); any other error fails the batch, which is retried later.
  func apply(_ event: Crm_Events_V1_Event, in db: Database, now: Date) throws
}

/// `crm.events.v1.EventSink`: applies delivered events once each, in order.
///
/// Events from different senders can arrive in any order. One that cannot apply yet is parked
/// (``ParkedEvents``) and acknowledged, and is tried again, in the same transaction, after each
/// later batch that applies an event of the same customer.
public struct EventSinkService: Crm_Events_V1_EventSink.SimpleServiceProtocol {
  private let database: any DatabaseWriter
  private let applier: any EventApplier
  private let clock: any WallClock
  private let parkedRetention: TimeInterval

  /// Creates the sink over the receiver's store; a parked event that still cannot apply after
  /// `parkedRetention` is rejected.
  public init(
    database: any DatabaseWriter, applier: any EventApplier, clock: any WallClock,
    parkedRetention: TimeInterval = ParkedEvents.defaultRetention
  ) {
    self.database = database
    self.applier = applier
    self.clock = clock
    self.parkedRetention = parkedRetention
  }

  public func deliverEvents(
    request: Crm_Events_V1_DeliverEventsRequest,
    context: ServerContext
  ) async throws -> Crm_Events_V1_DeliverEventsResponse {
    for (index, event) in request.events.enumerated() {
      try FieldValidation.requireID(event.eventID, field: "events[\(index)].event_id")
      try FieldValidation.requireID(event.source, field: "events[\(index)].source")
      if event.payload == nil {
        throw ServiceError.invalidArgument(field: "events[\(index)].payload", reason: "is required")
      }
    }
    // A caller allowed to deliver events still speaks only for itself.
    try EventOwnership.check(request.events, from: CallerIdentity.current)
    let now = clock.now()
    let applier = self.applier
    let retention = parkedRetention
    return try await database.write { db in
      var response = Crm_Events_V1_DeliverEventsResponse()
      // Customers with an event applied: what their parked events waited for may be here.
      var progressed = Set<String>()
      for event in request.events {
        response.acknowledgedEventIds.append(event.eventID)
        if let row = try Row.fetchOne(
          db, sql: "SELECT rejected_reason FROM inbox_event WHERE event_id = ?", arguments: [event.eventID])
        {
          if let reason = row["rejected_reason"] as String? {
            response.rejected.append(.with { $0.eventID = event.eventID; $0.reason = reason })
          }
          continue
        }
        var reason: String?
        switch try EventOutcome.attempt(event, applier: applier, in: db, now: now) {
        case .applied:
          progressed.insert(event.customerID)
        case .rejected(let why):
          reason = why
          response.rejected.append(.with { $0.eventID = event.eventID; $0.reason = why })
        case .notReady(let why):
          // Received (so a redelivery changes nothing) and acknowledged: the receiver keeps it.
          try ParkedEvents.park(db, event, reason: why, now: now)
        }
        try db.execute(
          sql: "INSERT INTO inbox_event (event_id, source, rejected_reason, applied_at) VALUES (?, ?, ?, ?)",
          arguments: [event.eventID, event.source, reason, now])
      }
      try ParkedEvents.retry(db, customers: progressed, applier: applier, now: now)
      try ParkedEvents.expire(db, retention: retention, applier: applier, now: now)
      return response
    }
  }
}
