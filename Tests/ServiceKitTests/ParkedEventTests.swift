import Contracts
import Foundation
import GRDB
import GRPCCore
import ServiceKitTesting
import Testing

@testable import ServiceKit

/// A receiver whose events may depend on each other: an activity of kind `a` records `a`; one
/// of kind `b>a` records `b` once `a` is recorded for the same customer, and is not ready
/// before; `never` can never apply.
private struct DependentApplier: EventApplier {
  func apply(_ event: Crm_Events_V1_Event, in db: Database, now: Date) throws {
    guard case .customerActivity(let activity) = event.payload else { return }
    if activity.kind == "never" {
      throw ServiceError.failedPrecondition("never applies")
    }
    let parts = activity.kind.split(separator: ">").map(String.init)
    if parts.count == 2 {
      let seen = try Bool.fetchOne(
        db, sql: "SELECT EXISTS (SELECT 1 FROM applied WHERE customer_id = ? AND tag = ?)",
        arguments: [event.customerID, parts[1]]) ?? false
      guard seen else { throw EventNotReady(reason: "waiting for \(parts[1])") }
    }
    try db.execute(
      sql: "INSERT INTO applied (customer_id, tag) VALUES (?, ?)",
      arguments: [event.customerID, parts[0]])
  }

  static var migrator: DatabaseMigrator {
    var migrator = DatabaseMigrator()
    EventStore.registerMigrations(&migrator)
    ParkedEvents.registerMigrations(&migrator)
    migrator.registerMigration("applied") { db in
      try db.execute(
        sql: "CREATE TABLE applied (seq INTEGER PRIMARY KEY AUTOINCREMENT, customer_id TEXT, tag TEXT)")
    }
    return migrator
  }
}

private func activity(_ customer: String, _ kind: String) -> Crm_Events_V1_Event {
  EventStore.event(
    from: .interaction, customerID: customer, at: Date(),
    payload: .customerActivity(.with { $0.kind = kind }))
}

private func applied(_ db: any DatabaseWriter, _ customer: String) throws -> [String] {
  try db.read { db in
    try String.fetchAll(
      db, sql: "SELECT tag FROM applied WHERE customer_id = ? ORDER BY seq", arguments: [customer])
  }
}

private func parked(_ db: any DatabaseWriter) throws -> [Row] {
  try db.read { db in
    try Row.fetchAll(
      db, sql: "SELECT event_id, source, reason, attempts, rejected_at FROM parked_event ORDER BY seq")
  }
}

@Suite("Events: an event that arrives before what it depends on waits for it")
struct ParkedEventTests {
  @Test("an event not applicable yet is acknowledged, parked, and applied once its prerequisite arrives; redeliveries change nothing")
  func parksUntilReady() async throws {
    let receiver = try StoreOpener.inMemory(migrator: DependentApplier.migrator)
    let sink = EventSinkService(database: receiver, applier: DependentApplier(), clock: ManualClock())
    try await withInProcessServer([sink]) { client in
      let events = Crm_Events_V1_EventSink.Client(wrapping: client)
      // Given an event that depends on one from another sender, delivered first
      let early = activity("c1", "b>a")
      let first = try await events.deliverEvents(.with { $0.events = [early] })

      // Then it is acknowledged, not rejected, and waits with its reason
      #expect(first.acknowledgedEventIds == [early.eventID])
      #expect(first.rejected.isEmpty)
      #expect(try applied(receiver, "c1").isEmpty)
      let waiting = try parked(receiver)
      #expect(waiting.map { $0["event_id"] as String } == [early.eventID])
      #expect(waiting.first?["reason"] as String? == "waiting for a")
      #expect(waiting.first?["source"] as String? == "interaction")

      // When it is delivered again, and another customer's event arrives
      _ = try await events.deliverEvents(.with { $0.events = [early, activity("c2", "a")] })
      // Then it still waits (nothing of its customer applied) and is recorded once
      #expect(try applied(receiver, "c1").isEmpty)
      #expect(try parked(receiver).count == 1)

      // When its prerequisite arrives
      let prerequisite = activity("c1", "a")
      let second = try await events.deliverEvents(.with { $0.events = [prerequisite] })

      // Then both apply, in that order, and nothing waits any more
      #expect(second.rejected.isEmpty)
      #expect(try applied(receiver, "c1") == ["a", "b"])
      #expect(try parked(receiver).isEmpty)

      // When either is delivered again
      let again = try await events.deliverEvents(.with { $0.events = [early, prerequisite] })
      // Then both are acknowledged and nothing changes
      #expect(again.acknowledgedEventIds == [early.eventID, prerequisite.eventID])
      #expect(again.rejected.isEmpty)
      #expect(try applied(receiver, "c1") == ["a", "b"])
    }
  }

  @Test("a prerequisite later in the same batch, and a chain of waiting events, all apply in one delivery")
  func chainInOneBatch() async throws {
    let receiver = try StoreOpener.inMemory(migrator: DependentApplier.migrator)
    let sink = EventSinkService(database: receiver, applier: DependentApplier(), clock: ManualClock())
    try await withInProcessServer([sink]) { client in
      let events = Crm_Events_V1_EventSink.Client(wrapping: client)
      // Given c waits for b, which waits for a
      _ = try await events.deliverEvents(.with { $0.events = [activity("c1", "c>b"), activity("c1", "b>a")] })
      #expect(try parked(receiver).count == 2)

      // When a arrives, followed in its batch by d, which waits for c
      let response = try await events.deliverEvents(.with {
        $0.events = [activity("c1", "a"), activity("c1", "d>c")]
      })

      // Then the whole chain applies, each once, and nothing waits
      #expect(response.rejected.isEmpty)
      #expect(try applied(receiver, "c1").sorted() == ["a", "b", "c", "d"])
      #expect(try applied(receiver, "c1").first == "a")
      #expect(try parked(receiver).isEmpty)
    }
  }

  @Test("an event still not applicable after the retention is rejected with what it waited for, and a redelivery is answered as rejected")
  func expiresAfterRetention() async throws {
    let receiver = try StoreOpener.inMemory(migrator: DependentApplier.migrator)
    let clock = ManualClock()
    let sink = EventSinkService(
      database: receiver, applier: DependentApplier(), clock: clock, parkedRetention: 3_600)
    try await withInProcessServer([sink]) { client in
      let events = Crm_Events_V1_EventSink.Client(wrapping: client)
      // Given an event waiting for a prerequisite that never comes
      let orphan = activity("c1", "b>a")
      _ = try await events.deliverEvents(.with { $0.events = [orphan] })

      // When less than the retention has passed, and another delivery arrives
      clock.advance(by: 3_000)
      _ = try await events.deliverEvents(.with { $0.events = [activity("c2", "x")] })
      // Then it still waits
      #expect(try parked(receiver).first?["rejected_at"] as Date? == nil)

      // When more than the retention has passed and the receiver hears from anyone
      clock.advance(by: 1_000)
      _ = try await events.deliverEvents(.with { $0.events = [activity("c2", "y")] })

      // Then it is rejected with its reason, kept, and a redelivery is answered as rejected
      let row = try #require(try parked(receiver).first)
      #expect(row["rejected_at"] as Date? == clock.now())
      #expect(row["reason"] as String? == "not applicable within 3600 s: waiting for a")
      #expect(row["attempts"] as Int? == 2)
      let again = try await events.deliverEvents(.with { $0.events = [orphan] })
      #expect(again.rejected.map(\.eventID) == [orphan.eventID])
      #expect(again.rejected.first?.reason == "not applicable within 3600 s: waiting for a")
      #expect(try applied(receiver, "c1").isEmpty)

      // And its prerequisite arriving now changes nothing for it
      _ = try await events.deliverEvents(.with { $0.events = [activity("c1", "a")] })
      #expect(try applied(receiver, "c1") == ["a"])
    }
  }

  @Test("an event that can never apply is rejected at once, not parked")
  func neverIsRejected() async throws {
    let receiver = try StoreOpener.inMemory(migrator: DependentApplier.migrator)
    let sink = EventSinkService(database: receiver, applier: DependentApplier(), clock: ManualClock())
    try await withInProcessServer([sink]) { client in
      let poison = activity("c1", "never")
      let response = try await Crm_Events_V1_EventSink.Client(wrapping: client).deliverEvents(.with {
        $0.events = [poison]
      })
      #expect(response.rejected.map(\.eventID) == [poison.eventID])
      #expect(try parked(receiver).isEmpty)
    }
  }
}
