import Contracts
import Foundation
import GRDB
import GRPCCore
import GRPCNIOTransportHTTP2
import Logging
import ServiceKitTesting
import Testing

@testable import ServiceKit

/// A receiver that records what it applied, in order, and rejects some events for good.
private struct RecordingApplier: EventApplier {
  func apply(_ event: Crm_Events_V1_Event, in db: Database, now: Date) throws {
    if case .customerActivity(let activity) = event.payload, activity.kind == "poison" {
      throw ServiceError.invalidArgument(field: "customer_activity.kind", reason: "poison")
    }
    if case .customerActivity(let activity) = event.payload, activity.kind == "busy" {
      throw DatabaseError(resultCode: .SQLITE_BUSY)
    }
    try db.execute(sql: "INSERT INTO applied (event_id, customer_id) VALUES (?, ?)", arguments: [event.eventID, event.customerID])
  }

  static var migrator: DatabaseMigrator {
    var migrator = DatabaseMigrator()
    EventStore.registerMigrations(&migrator)
    ParkedEvents.registerMigrations(&migrator)
    migrator.registerMigration("applied") { db in
      try db.execute(sql: "CREATE TABLE applied (seq INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT, customer_id TEXT)")
    }
    return migrator
  }
}

private func activity(_ customer: String, kind: String = "interaction") -> Crm_Events_V1_Event {
  EventStore.event(
    from: .interaction, customerID: customer, at: Date(),
    payload: .customerActivity(.with { $0.kind = kind }))
}

private func applied(_ db: any DatabaseWriter) throws -> [(String, String)] {
  try db.read { db in
    try Row.fetchAll(db, sql: "SELECT event_id, customer_id FROM applied ORDER BY seq").map { ($0[0], $0[1]) }
  }
}

@Suite("Events: the sink applies each event once")
struct EventSinkTests {
  @Test("a redelivered event is acknowledged again and applied once")
  func appliesOnce() async throws {
    let receiver = try StoreOpener.inMemory(migrator: RecordingApplier.migrator)
    let sink = EventSinkService(database: receiver, applier: RecordingApplier(), clock: ManualClock())
    try await withInProcessServer([sink]) { client in
      let events = Crm_Events_V1_EventSink.Client(wrapping: client)
      let batch = Crm_Events_V1_DeliverEventsRequest.with { $0.events = [activity("c1"), activity("c2")] }
      let first = try await events.deliverEvents(batch)
      let again = try await events.deliverEvents(batch)
      #expect(first.acknowledgedEventIds == batch.events.map(\.eventID))
      #expect(again.acknowledgedEventIds == first.acknowledgedEventIds)
      #expect(try applied(receiver).map(\.0) == batch.events.map(\.eventID))
    }
  }

  @Test("an event the receiver can never apply is acknowledged as rejected, every time, and changes nothing")
  func rejectsForGood() async throws {
    let receiver = try StoreOpener.inMemory(migrator: RecordingApplier.migrator)
    let sink = EventSinkService(database: receiver, applier: RecordingApplier(), clock: ManualClock())
    try await withInProcessServer([sink]) { client in
      let events = Crm_Events_V1_EventSink.Client(wrapping: client)
      let poison = activity("c1", kind: "poison")
      let batch = Crm_Events_V1_DeliverEventsRequest.with { $0.events = [poison, activity("c1")] }
      for _ in 0..<2 {
        let response = try await events.deliverEvents(batch)
        #expect(response.acknowledgedEventIds.count == 2)
        #expect(response.rejected.map(\.eventID) == [poison.eventID])
      }
      #expect(try applied(receiver).map(\.0) == [batch.events[1].eventID])
    }
  }

  @Test("a transient failure fails the whole batch as UNAVAILABLE and records nothing")
  func transientFailure() async throws {
    let receiver = try StoreOpener.inMemory(migrator: RecordingApplier.migrator)
    let sink = EventSinkService(database: receiver, applier: RecordingApplier(), clock: ManualClock())
    try await withInProcessServer([sink]) { client in
      let events = Crm_Events_V1_EventSink.Client(wrapping: client)
      let batch = Crm_Events_V1_DeliverEventsRequest.with { $0.events = [activity("c1"), activity("c1", kind: "busy")] }
      let error = await #expect(throws: RPCError.self) { try await events.deliverEvents(batch) }
      #expect(error?.code == .unavailable)
      #expect(try applied(receiver).isEmpty)
      let inbox = try await receiver.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM inbox_event") }
      #expect(inbox == 0)
    }
  }

  @Test("an event without an id is INVALID_ARGUMENT naming it")
  func invalidEvent() async throws {
    let receiver = try StoreOpener.inMemory(migrator: RecordingApplier.migrator)
    let sink = EventSinkService(database: receiver, applier: RecordingApplier(), clock: ManualClock())
    try await withInProcessServer([sink]) { client in
      var event = activity("c1")
      event.eventID = ""
      let error = await #expect(throws: RPCError.self) {
        try await Crm_Events_V1_EventSink.Client(wrapping: client).deliverEvents(.with { $0.events = [event] })
      }
      #expect(error?.code == .invalidArgument)
      #expect(error?.message.hasPrefix("events[0].event_id:") == true)
    }
  }
}

@Suite("Events: the relay delivers the outbox over HTTP/2", .serialized, .timeLimit(.minutes(1)))
struct OutboxRelayTests {
  /// A port nothing listens on yet (taken from a server that is then stopped).
  func freePort() async throws -> Int {
    let server = GRPCServer(
      transport: .http2NIOPosix(address: .ipv4(host: "127.0.0.1", port: 0), transportSecurity: .plaintext), services: [])
    return try await withThrowingDiscardingTaskGroup { group in
      group.addTask { try await server.serve() }
      let port = try await server.listeningAddress!.ipv4!.port
      server.beginGracefulShutdown()
      return port
    }
  }

  @Test("while the receiver is down nothing is lost; once it is up every event arrives once, in order per customer")
  func deliversAfterOutage() async throws {
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let sender = try StoreOpener.openPool(path: directory.appendingPathComponent("sender.sqlite").path, migrator: RecordingApplier.migrator)
    let receiver = try StoreOpener.openPool(path: directory.appendingPathComponent("receiver.sqlite").path, migrator: RecordingApplier.migrator)
    let port = try await freePort()

    // Given 60 events for three customers recorded while the receiver is down...
    let events = (0..<60).map { activity("c\($0 % 3)") }
    try await sender.write { db in
      for event in events { try EventStore.enqueue(db, event, to: [.segmentation], now: Date()) }
    }
    var configuration = OutboxRelay.Configuration()
    configuration.pollInterval = .milliseconds(20)
    configuration.baseBackoff = 0.05
    configuration.maxBackoff = 0.2
    configuration.batchSize = 16
    let relay = OutboxRelay(
      database: sender, destinations: [.segmentation: PeerAddress(host: "127.0.0.1", port: port)],
      clock: SystemClock(), logger: Logger(label: "relay"), health: nil, configuration: configuration)
    let status = OutboxStatusService(database: sender, destinations: [.segmentation], clock: SystemClock())
    let relayTask = Task { try await relay.run() }
    defer { relayTask.cancel() }

    try await withInProcessServer([status]) { client in
      let outbox = Crm_Events_V1_Outbox.Client(wrapping: client)
      // ...the relay keeps failing and keeps everything, and says so...
      var failing = Crm_Events_V1_DestinationStatus()
      for _ in 0..<100 {
        failing = try await outbox.getOutboxStatus(.init()).destinations[0]
        if failing.consecutiveFailures >= 2 { break }
        try await Task.sleep(for: .milliseconds(50))
      }
      #expect(failing.pending == 60)
      #expect(failing.consecutiveFailures >= 2)
      #expect(!failing.lastError.isEmpty)

      // ...then the receiver comes up and the outbox drains.
      let sink = EventSinkService(database: receiver, applier: RecordingApplier(), clock: SystemClock())
      let server = GRPCServer(
        transport: .http2NIOPosix(address: .ipv4(host: "127.0.0.1", port: port), transportSecurity: .plaintext),
        services: [sink])
      try await withThrowingDiscardingTaskGroup { group in
        group.addTask { try await server.serve() }
        var drained = failing
        for _ in 0..<400 where drained.pending > 0 {
          try await Task.sleep(for: .milliseconds(25))
          drained = try await outbox.getOutboxStatus(.init()).destinations[0]
        }
        #expect(drained.pending == 0)
        #expect(drained.delivered == 60)
        #expect(drained.consecutiveFailures == 0)
        server.beginGracefulShutdown()
      }
    }

    let got = try applied(receiver)
    #expect(got.count == 60)
    #expect(Set(got.map(\.0)).count == 60)
    for customer in ["c0", "c1", "c2"] {
      #expect(got.filter { $0.1 == customer }.map(\.0) == events.filter { $0.customerID == customer }.map(\.eventID))
    }
  }

  @Test("backoff doubles up to its cap, with jitter in the upper half")
  func backoff() {
    var configuration = OutboxRelay.Configuration()
    configuration.baseBackoff = 1
    configuration.maxBackoff = 8
    let relay = OutboxRelay(
      database: try! DatabaseQueue(), destinations: [:], clock: SystemClock(), logger: Logger(label: "x"), health: nil,
      configuration: configuration)
    for (attempts, ceiling) in [(1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (9, 8.0)] {
      let delay = relay.backoff(afterAttempts: attempts)
      #expect(delay >= ceiling / 2 && delay <= ceiling)
    }
  }
}
