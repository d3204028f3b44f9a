import Contracts
import Foundation
import GRDB
import GRPCCore
import ServiceKit
import ServiceKitTesting
import Synchronization
import Testing

@Suite("Online backup", .serialized, .timeLimit(.minutes(2)))
struct BackupTests {
  @Test("a backup taken under load (paced to ~500 writes/s) opens, passes integrity_check, holds every write acknowledged before it, and restores")
  func backupUnderLoad() async throws {
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let service = try await ServiceProcess("loyalty-service", dataDirectory: directory)

    let acknowledged = Acknowledged()
    let backup = try await service.withClient { client in
      let loyalty = Crm_Loyalty_V1_LoyaltyService.Client(wrapping: client)
      let admin = Crm_Ops_V1_StoreAdmin.Client(wrapping: client)
      return try await withThrowingTaskGroup(of: Crm_Ops_V1_BackupStoreResponse?.self) { group in
        // Sixteen writers, each paced to one earn every 32 ms: together at most 500 durable
        // earns a second (synchronous=FULL). What a debug build reaches here is printed; the
        // rate itself is held against the release build (Tests/Deploy/test_release_build.py).
        let stop = Flag()
        for writer in 0..<16 {
          group.addTask {
            let start = ContinuousClock.now
            var n = 0
            while !stop.isSet {
              let key = "w\(writer)-\(n)"
              _ = try await loyalty.earnPoints(
                .with {
                  $0.customerID = "c1"
                  $0.points = 1
                  $0.idempotencyKey.key = key
                })
              acknowledged.add(key)
              n += 1
              try await Task.sleep(until: start + .milliseconds(32 * n))
            }
            return nil
          }
        }
        group.addTask {
          for _ in 0..<400 where acknowledged.keys.count < 100 { try await Task.sleep(for: .milliseconds(25)) }
          let before = acknowledged.keys
          let response = try await admin.backupStore(.with { $0.name = "mid-load" })
          acknowledged.markBackup(before)
          // Writers go on for a while after the backup, so it is taken under load, not at its end.
          try await Task.sleep(for: .milliseconds(500))
          stop.set()
          return response
        }
        var backup: Crm_Ops_V1_BackupStoreResponse?
        for try await result in group { if let result { backup = result } }
        return backup!
      }
    }
    let rate = Double(acknowledged.keys.count) / max(0.001, acknowledged.elapsedSeconds)
    print("backup under load: \(acknowledged.keys.count) earns at \(Int(rate))/s, \(acknowledged.beforeBackup.count) before the backup")
    #expect(acknowledged.beforeBackup.count >= 100)
    #expect(acknowledged.keys.count > acknowledged.beforeBackup.count, "writes went on during the backup")

    // The copy is a sound SQLite file holding every earn acknowledged before the backup.
    let copy = try DatabaseQueue(path: backup.path)
    let (check, keys, balance) = try await copy.read { db in
      (
        try String.fetchOne(db, sql: "PRAGMA integrity_check"),
        Set(try String.fetchAll(db, sql: "SELECT key FROM idempotency_record WHERE scope = 'EarnPoints'")),
        try Int64.fetchOne(db, sql: "SELECT balance FROM loyalty_account WHERE customer_id = 'c1'")
      )
    }
    try copy.close()
    #expect(check == "ok")
    #expect(acknowledged.beforeBackup.isSubset(of: keys))
    #expect(balance == Int64(keys.count))
    #expect(await service.terminate() == 0)

    // Restore: a service started on the copy serves exactly its contents.
    let restored = try await ServiceProcess(
      "loyalty-service", dataDirectory: directory.appendingPathComponent("restored"), arguments: ["--database", backup.path])
    let account = try await restored.withClient { client in
      try await Crm_Loyalty_V1_LoyaltyService.Client(wrapping: client).getAccount(.with { $0.customerID = "c1" }).account
    }
    #expect(account.balance == balance)
    #expect(await restored.terminate() == 0)
  }

  @Test("a bad name is INVALID_ARGUMENT; an existing one ALREADY_EXISTS")
  func badNames() async throws {
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let service = try await ServiceProcess("trust-service", dataDirectory: directory)
    try await service.withClient { client in
      let admin = Crm_Ops_V1_StoreAdmin.Client(wrapping: client)
      for name in ["", "../escape", ".hidden", "a/b"] {
        let error = await #expect(throws: RPCError.self) { try await admin.backupStore(.with { $0.name = name }) }
        #expect(error?.code == .invalidArgument)
      }
      let first = try await admin.backupStore(.with { $0.name = "nightly" })
      #expect(first.path.hasSuffix("/backups/nightly.sqlite"))
      let again = await #expect(throws: RPCError.self) { try await admin.backupStore(.with { $0.name = "nightly" }) }
      #expect(again?.code == .alreadyExists)
    }
    #expect(await service.terminate() == 0)
  }
}

/// Keys acknowledged by the writers, and those acknowledged before the backup was asked for.
private final class Acknowledged: Sendable {
  private let state = Mutex<(all: Set<String>, beforeBackup: Set<String>)>(([], []))
  private let started = ContinuousClock.now
  var elapsedSeconds: Double { Double((ContinuousClock.now - started).components.seconds) + Double((ContinuousClock.now - started).components.attoseconds) / 1e18 }
  func add(_ key: String) { state.withLock { _ = $0.all.insert(key) } }
  func markBackup(_ keys: Set<String>) { state.withLock { $0.beforeBackup = keys } }
  var keys: Set<String> { state.withLock { $0.all } }
  var beforeBackup: Set<String> { state.withLock { $0.beforeBackup } }
}

/// A one-way stop signal for the writers.
private final class Flag: Sendable {
  private let value = Mutex(false)
  var isSet: Bool { value.withLock { $0 } }
  func set() { value.withLock { $0 = true } }
}
