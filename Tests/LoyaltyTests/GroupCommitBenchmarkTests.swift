import Foundation
import GRDB
import Loyalty
import ServiceKit
import ServiceKitTesting
import Testing

/// Measures durable earns per second on a file store (`synchronous=FULL`), one transaction per
/// RPC against group commit, with 128 concurrent callers through the gRPC client.
///
/// Runs only when asked, as it writes to disk for tens of seconds:
/// `CRM_BENCHMARK=1 swift test --skip-build --filter GroupCommitBenchmarkTests`
/// (`CRM_BENCHMARK_EARNS` sets the earns per mode, 2048 by default).
@Suite("Loyalty: group commit benchmark (CRM_BENCHMARK=1)")
struct GroupCommitBenchmarkTests {
  static let callers = 128

  @Test(
    "durable earns per second: one transaction per RPC vs grouped",
    .enabled(if: ProcessInfo.processInfo.environment["CRM_BENCHMARK"] == "1"))
  func earnsPerSecond() async throws {
    let earns = Int(ProcessInfo.processInfo.environment["CRM_BENCHMARK_EARNS"] ?? "") ?? 2048
    let single = try await measure(earns: earns, groupCommit: false)
    let grouped = try await measure(earns: earns, groupCommit: true)
    print(
      """
      loyalty group commit benchmark: \(earns) durable earns, \(Self.callers) concurrent callers
        one transaction per RPC: \(String(format: "%.0f", single.rate)) earns/s
        grouped:                 \(String(format: "%.0f", grouped.rate)) earns/s \
      (\(grouped.batches) transactions, largest \(grouped.largest))
        speed-up:                \(String(format: "%.1f", grouped.rate / single.rate))x
      """)
    #expect(grouped.rate > single.rate)
  }

  private func measure(earns: Int, groupCommit: Bool) async throws
    -> (rate: Double, batches: Int, largest: Int)
  {
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let pool = try StoreOpener.openPool(
      path: directory.appendingPathComponent("loyalty.sqlite").path,
      migrator: LoyaltyStore.migrator)
    defer { try? pool.close() }
    #expect(try await pool.read { try Int.fetchOne($0, sql: "PRAGMA synchronous") } == 2)

    var elapsed = Duration.zero
    var statistics = GroupCommitWriter.Statistics()
    try await LoyaltyHarness.run(database: pool, groupCommit: groupCommit) { loyalty in
      let started = ContinuousClock.now
      try await withThrowingTaskGroup(of: Void.self) { group in
        for caller in 0..<Self.callers {
          group.addTask {
            for i in stride(from: caller, to: earns, by: Self.callers) {
              try await loyalty.earn("customer-\(i % 1000)", 10, order: "order-\(i)", key: "b-\(i)")
            }
          }
        }
        try await group.waitForAll()
      }
      elapsed = ContinuousClock.now - started
      statistics = loyalty.service.pointsWriter?.statistics ?? .init()
      let total = try await loyalty.database.read {
        try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM ledger_entry")
      }
      #expect(total == earns)
    }
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    return (Double(earns) / seconds, statistics.batches, statistics.largestBatch)
  }
}
