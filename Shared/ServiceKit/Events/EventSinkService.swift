import Contracts
import Foundation
import GRDB
import GRPCCore
import Logging

/// What a receiving service does with an event; called inside its write transaction, at most
/// once per event id.
public protocol EventApplier: Sendable {
  /// Applies `event`. Throwing a non-transient ``ServiceError`` rejects the event for good
  /// (the sender stops retrying); any other error fails the batch, which is retried later.
  func apply(_ event: Crm_Events_V1_Event, in db: Database, now: Date) throws
}

/// `crm.events.v1.EventSink`: applies delivered events once each, in order.
public struct EventSinkService: Crm_Events_V1_EventSink.SimpleServiceProtocol {
  private let database: any DatabaseWriter
  private let applier: any EventApplier
  private let clock: any WallClock

  /// Creates the sink over the receiver's store.
  public init(database: any DatabaseWriter, applier: any EventApplier, clock: any WallClock) {
    self.database = database
    self.applier = applier
    self.clock = clock
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
    return try await database.write { db in
      var response = Crm_Events_V1_DeliverEventsResponse()
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
        let outcome = try IdempotencyLedger.runAtomically(db) { db in
          try applier.apply(event, in: db, now: now)
        }
        var reason: String?
        if case .failure(let error) = outcome {
          reason = error.rpcErrorMessage
          response.rejected.append(.with { $0.eventID = event.eventID; $0.reason = error.rpcErrorMessage })
        }
        try db.execute(
          sql: "INSERT INTO inbox_event (event_id, source, rejected_reason, applied_at) VALUES (?, ?, ?, ?)",
          arguments: [event.eventID, event.source, reason, now])
      }
      return response
    }
  }
}
