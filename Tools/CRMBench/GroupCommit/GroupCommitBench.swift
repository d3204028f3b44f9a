import ArgumentParser
import Contracts
import Foundation
import GRDB
import GRPCCore
import GRPCNIOTransportHTTP2
import Logging
import Loyalty
import ServiceKit

/// `crm-bench group-commit`: durable earns per second through real HTTP/2 on loopback, with
/// loyalty writing one transaction per RPC and then with group commit, on a file store with
/// `synchronous=FULL`; the issue asks for at least 5 times the first rate.
///
/// The service runs in this process (the same `LoyaltyService` the executable serves), so both
/// modes share everything but the writer, and the client and server compete for the same two
/// cores as they would on the machine.
struct GroupCommitBench: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "group-commit",
    abstract: "Durable earns/s, one transaction per RPC against group commit (loyalty).")

  @Option(help: "Earns per mode.")
  var earns = 20_000

  @Option(help: "Concurrent callers (RPCs in flight).")
  var callers = 128

  @Option(help: "Distinct accounts the earns go to.")
  var accounts = 10_000

  @Option(help: "Directory for the two temporary stores (removed afterwards).")
  var dir = NSTemporaryDirectory()

  @Option(help: "Write the figures as JSON to this file.")
  var out: String?

  func run() async throws {
    let single = try await measure(groupCommit: false)
    let grouped = try await measure(groupCommit: true)
    var figures = BenchFigures(service: "loyalty group commit")
    figures.store = ["earns per mode": earns, "callers": callers, "accounts": accounts]
    figures.add("one transaction per RPC", single.rate, "earns/s")
    figures.add("one transaction per RPC, p99", single.p99, "ms")
    figures.add("grouped", grouped.rate, "earns/s")
    figures.add("grouped, p99", grouped.p99, "ms")
    figures.add("grouped, earns per transaction", grouped.perBatch, "earns")
    figures.add("speed-up", grouped.rate / single.rate, "x", atLeast: 5)
    try figures.emit(to: out)
  }

  struct Mode {
    var rate: Double
    var p99: Double
    var perBatch: Double
  }

  private func measure(groupCommit: Bool) async throws -> Mode {
    let directory = URL(fileURLWithPath: dir).appendingPathComponent("crm-bench-gc-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let pool = try StoreOpener.openPool(
      path: directory.appendingPathComponent("loyalty.sqlite").path, migrator: LoyaltyStore.migrator)
    defer { try? pool.close() }
    let synchronous = try await pool.read { try Int.fetchOne($0, sql: "PRAGMA synchronous") }
    guard synchronous == 2 else { throw ValidationError("the store is not synchronous=FULL") }

    var logger = Logger(label: "crm-bench")
    logger.logLevel = .warning
    let service = LoyaltyService(
      store: LoyaltyStore(database: pool), clock: SystemClock(), logger: logger, groupCommit: groupCommit)
    let server = GRPCServer(
      transport: .http2NIOPosix(address: .ipv4(host: "127.0.0.1", port: 0), transportSecurity: .plaintext),
      services: [service])
    let earns = self.earns, accounts = self.accounts, callers = self.callers
    let sample = try await withThrowingTaskGroup(of: LatencySample?.self) { group in
      group.addTask { try await server.serve(); return nil }
      guard let address = try await server.listeningAddress, let port = address.ipv4?.port else {
        throw ValidationError("the server did not start")
      }
      let sample = try await withBenchClient("127.0.0.1:\(port)") { client in
        let loyalty = Crm_Loyalty_V1_LoyaltyService.Client(wrapping: client)
        return await LatencySample.measure(count: earns, concurrency: callers) { i in
          _ = try await loyalty.earnPoints(.with {
            $0.customerID = BulkIDs.customer(i % accounts)
            $0.points = 10
            $0.orderID = "gc-\(i)"
            $0.idempotencyKey.key = "gc-\(i)"
          })
        }
      }
      server.beginGracefulShutdown()
      try await group.waitForAll()
      return sample
    }
    guard sample.failures == 0 else { throw ValidationError("\(sample.failures) earns failed") }
    let written = try await pool.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM ledger_entry") } ?? 0
    guard written == earns else { throw ValidationError("\(written) ledger entries for \(earns) acknowledged earns") }
    let statistics = service.pointsWriter?.statistics
    let perBatch = statistics.map { Double($0.operations) / Double(max($0.batches, 1)) } ?? 1
    FileHandle.standardError.write(Data(
      "\(groupCommit ? "grouped" : "one transaction per RPC"): \(Int(sample.rate)) earns/s, p99 \(sample.p99Milliseconds) ms\n".utf8))
    return Mode(rate: sample.rate, p99: sample.p99Milliseconds, perBatch: perBatch)
  }
}
