import Contracts
import Foundation
import GRDB
import ServiceKitTesting
import Testing

@testable import ServiceKit

@Suite("Store opener and idempotency ledger")
struct StoreTests {
  static var migrator: DatabaseMigrator {
    var migrator = DatabaseMigrator()
    IdempotencyLedger.registerMigration(&migrator)
    migrator.registerMigration("counter-v1") { db in
      try db.execute(sql: "CREATE TABLE counter (id INTEGER PRIMARY KEY, value INTEGER NOT NULL)")
      try db.execute(sql: "INSERT INTO counter VALUES (1, 0)")
    }
    return migrator
  }

  @Test("a pool on disk is WAL, synchronous=FULL, with foreign keys, and migrated")
  func poolPragmas() throws {
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    // A directory that does not exist yet is created.
    let pool = try StoreOpener.openPool(path: directory.appendingPathComponent("sub/x.sqlite").path, migrator: Self.migrator)
    try pool.writeWithoutTransaction { db throws in
      // Given GRDB turned WAL on (which sets NORMAL), then the opener re-applied FULL (2).
      #expect(try String.fetchOne(db, sql: "PRAGMA journal_mode") == "wal")
      #expect(try Int.fetchOne(db, sql: "PRAGMA synchronous") == 2)
      #expect(try Int.fetchOne(db, sql: "PRAGMA foreign_keys") == 1)
      #expect(try Int.fetchOne(db, sql: "SELECT value FROM counter") == 0)
    }
    try pool.close()
  }

  @Test("a store migrated by a newer version is refused, naming the unknown migration")
  func newerStoreRefused() throws {
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let path = directory.appendingPathComponent("x.sqlite").path
    var newer = Self.migrator
    newer.registerMigration("from-the-future-v9") { db in try db.execute(sql: "CREATE TABLE future (id INTEGER)") }
    try StoreOpener.openPool(path: path, migrator: newer).close()
    #expect {
      try StoreOpener.openPool(path: path, migrator: Self.migrator)
    } throws: { error in
      (error as? StoreVersionError)?.unknownMigrations == ["from-the-future-v9"]
    }
    // The version that wrote it still opens it.
    try StoreOpener.openPool(path: path, migrator: newer).close()
  }

  /// Increments the counter under an idempotency key; fails with FAILED_PRECONDITION past 2.
  func increment(_ db: any DatabaseWriter, key: String, by amount: Int) throws -> Result<Grpc_Health_V1_HealthCheckRequest, ServiceError> {
    let request = Grpc_Health_V1_HealthCheckRequest.with { $0.service = "\(amount)" }
    return try db.write { db in
      try IdempotencyLedger.run(db, scope: "Increment", key: key, request: request, now: Date()) { db in
        try db.execute(sql: "UPDATE counter SET value = value + ?", arguments: [amount])
        let value = try Int.fetchOne(db, sql: "SELECT value FROM counter")!
        if value > 2 { throw ServiceError.failedPrecondition("counter would pass 2") }
        return .with { $0.service = "value=\(value)" }
      }
    }
  }

  func counter(_ db: any DatabaseWriter) throws -> Int {
    try db.read { try Int.fetchOne($0, sql: "SELECT value FROM counter")! }
  }

  @Test("the same key and body replays the first result and writes once")
  func replay() throws {
    let db = try StoreOpener.inMemory(migrator: Self.migrator)
    let first = try increment(db, key: "k1", by: 1).get()
    let again = try increment(db, key: "k1", by: 1).get()
    #expect(first == again)
    #expect(try counter(db) == 1)
  }

  @Test("the same key with another body is ALREADY_EXISTS and writes nothing")
  func conflict() throws {
    let db = try StoreOpener.inMemory(migrator: Self.migrator)
    _ = try increment(db, key: "k1", by: 1)
    #expect(throws: ServiceError.self) { try increment(db, key: "k1", by: 2) }
    #expect(try counter(db) == 1)
  }

  @Test("a state-dependent failure is undone, recorded, and replayed as the same failure")
  func failureReplay() throws {
    let db = try StoreOpener.inMemory(migrator: Self.migrator)
    _ = try increment(db, key: "a", by: 2)
    // When the counter would pass 2, the failure leaves no partial write.
    #expect(try increment(db, key: "b", by: 1) == .failure(.failedPrecondition("counter would pass 2")))
    #expect(try counter(db) == 2)
    // Even if the state changes so that it would now succeed, the key replays the failure.
    try db.write { try $0.execute(sql: "UPDATE counter SET value = 0") }
    #expect(try increment(db, key: "b", by: 1) == .failure(.failedPrecondition("counter would pass 2")))
    #expect(try counter(db) == 0)
  }

  @Test("an INVALID_ARGUMENT from the body is returned but not recorded under the key")
  func invalidArgumentNotRecorded() throws {
    let db = try StoreOpener.inMemory(migrator: Self.migrator)
    let request = Grpc_Health_V1_HealthCheckRequest.with { $0.service = "x" }
    let result: Result<Grpc_Health_V1_HealthCheckRequest, ServiceError> = try db.write { db in
      try IdempotencyLedger.run(db, scope: "X", key: "k", request: request, now: Date()) { db in
        try db.execute(sql: "UPDATE counter SET value = 5")
        throw ServiceError.invalidArgument(field: "category", reason: "unknown")
      }
    }
    #expect(result == .failure(.invalidArgument(field: "category", reason: "unknown")))
    #expect(try counter(db) == 0)
    #expect(try db.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM idempotency_record") } == 0)
  }

  @Test("a required key that is missing is INVALID_ARGUMENT saying why")
  func requiredKey() throws {
    #expect(try IdempotencyLedger.requiredKey("k-1", field: "idempotency_key.key", action: "an earn") == "k-1")
    #expect(throws: ServiceError.invalidArgument(field: "idempotency_key.key", reason: "is required: an earn is never applied twice")) {
      try IdempotencyLedger.requiredKey("", field: "idempotency_key.key", action: "an earn")
    }
  }

  @Test("without a key a failure still leaves nothing half-written")
  func atomicWithoutKey() throws {
    let db = try StoreOpener.inMemory(migrator: Self.migrator)
    let request = Grpc_Health_V1_HealthCheckRequest()
    let result: Result<Grpc_Health_V1_HealthCheckRequest, ServiceError> = try db.write { db in
      try IdempotencyLedger.run(db, scope: "X", key: nil, request: request, now: Date()) { db in
        try db.execute(sql: "UPDATE counter SET value = 99")
        throw ServiceError.notFound("thing")
      }
    }
    #expect(result == .failure(.notFound("thing")))
    #expect(try counter(db) == 0)
  }

  @Test("keys are 1 to 128 printable ASCII characters")
  func keyValidation() throws {
    #expect(try IdempotencyLedger.validatedKey("", field: "k") == nil)
    #expect(try IdempotencyLedger.validatedKey("order-1", field: "k") == "order-1")
    #expect(throws: ServiceError.invalidArgument(field: "k", reason: "must be 1 to 128 printable ASCII characters")) {
      try IdempotencyLedger.validatedKey("has space", field: "k")
    }
    #expect(throws: ServiceError.self) { try IdempotencyLedger.validatedKey(String(repeating: "x", count: 129), field: "k") }
  }

  @Test("the manual clock moves only when told")
  func manualClock() {
    let clock = ManualClock()
    let start = clock.now()
    #expect(clock.now() == start)
    clock.advance(by: 3600)
    #expect(clock.now().timeIntervalSince(start) == 3600)
  }
}
