import Contracts
import Foundation
import GRPCCore
import ServiceKit
import ServiceKitTesting
import Synchronization
import Testing

@Suite("SIGTERM under load", .serialized, .timeLimit(.minutes(3)))
struct GracefulShutdownTests {
  @Test("in-flight earns finish, the process exits 0, and every acknowledged earn is on disk once")
  func sigtermDuringLoad() async throws {
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let service = try await ServiceProcess("loyalty-service", dataDirectory: directory)

    // Given 8 writers earning as fast as they can, each request with its own key...
    let acknowledged = Tally<String>()  // key -> ledger entry id
    let attempted = Tally<Int64>()  // key -> points
    try await service.withClient { client in
      let loyalty = Crm_Loyalty_V1_LoyaltyService.Client(wrapping: client)
      try await withThrowingTaskGroup(of: Void.self) { group in
        for writer in 0..<8 {
          group.addTask {
            for n in 0..<400 {
              let key = "w\(writer)-\(n)"
              let points = Int64(1 + (writer * 400 + n) % 7)
              attempted.set(key, points)
              do {
                let response = try await loyalty.earnPoints(
                  .with {
                    $0.customerID = "c\(writer % 2)"
                    $0.points = points
                    $0.idempotencyKey.key = key
                  })
                acknowledged.set(key, response.entry.entryID)
              } catch let error as RPCError {
                // Once shutdown starts, new RPCs are refused; that is the only failure allowed.
                #expect(error.code == .unavailable, "\(error)")
                return
              }
            }
          }
        }
        // ...when SIGTERM arrives mid-stream (once some earns are through, however slow the
        // machine's fsync is today)...
        for _ in 0..<300 where acknowledged.all.count < 40 { try await Task.sleep(for: .milliseconds(50)) }
        #expect(acknowledged.all.count >= 40)
        #expect(await service.terminate() == 0, "\(service.log)")
        try await group.waitForAll()
      }
    }
    #expect(service.log.contains("shutting down"))

    // ...then after a restart every acknowledged earn is there, under the same entry, once.
    let restarted = try await ServiceProcess("loyalty-service", dataDirectory: directory)
    try await restarted.withClient { client in
      let loyalty = Crm_Loyalty_V1_LoyaltyService.Client(wrapping: client)
      let acked = acknowledged.all
      var expectedBalance: [String: Int64] = ["c0": 0, "c1": 0]
      for (key, points) in attempted.all {
        let writer = Int(key.dropFirst().prefix { $0 != "-" })!
        let customer = "c\(writer % 2)"
        // Replaying an attempted key applies it at most once; replaying an acknowledged key
        // returns the very entry that was acknowledged before the kill.
        let replay = try await loyalty.earnPoints(
          .with {
            $0.customerID = customer
            $0.points = points
            $0.idempotencyKey.key = key
          })
        if let entry = acked[key] { #expect(replay.entry.entryID == entry) }
        expectedBalance[customer, default: 0] += points
      }
      for (customer, balance) in expectedBalance where balance > 0 {
        let account = try await loyalty.getAccount(.with { $0.customerID = customer }).account
        #expect(account.balance == balance)
      }
    }
    #expect(await restarted.terminate() == 0)
  }
}

/// Keys seen by concurrent writers.
private final class Tally<Value: Sendable>: Sendable {
  private let values = Mutex<[String: Value]>([:])
  func set(_ key: String, _ value: Value) { values.withLock { $0[key] = value } }
  var all: [String: Value] { values.withLock { $0 } }
}
