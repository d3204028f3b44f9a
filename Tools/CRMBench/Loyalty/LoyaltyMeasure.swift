import ArgumentParser
import Contracts
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import ServiceKit
import SwiftProtobuf

/// `crm-bench loyalty measure`: balance reads, the first page of the ledger, and durable earns
/// against a running loyalty-service filled by `crm-bench loyalty fill`.
struct LoyaltyMeasure: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "measure",
    abstract: "Measure balance reads, ledger pages and durable earns on a running service.",
    discussion: """
      Reads go to random bulk accounts (GetAccount, and ListLedgerEntries' first page) at \
      concurrency 1 and 32. Then earns: one in flight (each its own transaction) for \
      --baseline-seconds, then --earn-concurrency in flight for --earn-seconds, on existing \
      bulk accounts with idempotency keys and order ids unique to this run. The earns in \
      flight must reach 5 times the one-at-a-time rate (or --single-transaction-rate), and \
      every earn must be acknowledged OK. Exits non-zero when a call fails.
      """)

  @OptionGroup var bench: MeasureOptions
  @Option(help: "Accounts the store was filled with (customers bulk-0000000...).")
  var accounts = 1_000_000
  @Option(help: "Seconds of earns at --earn-concurrency.") var earnSeconds = 10.0
  @Option(help: "Earns in flight.") var earnConcurrency = 128
  @Option(help: "Seconds of earns one at a time, the one-transaction-per-RPC rate.")
  var baselineSeconds = 3.0
  @Option(help: "The one-transaction-per-RPC earn rate to beat 5 times, instead of measuring it.")
  var singleTransactionRate: Double?
  @Option(help: "Seed of the accounts picked.") var seed: UInt64 = 1

  func run() async throws {
    let failed = try await withBenchClient(bench.addr) { grpc -> Bool in
      let client = Crm_Loyalty_V1_LoyaltyService.Client(wrapping: grpc)
      var figures = BenchFigures(service: "loyalty")
      try await recordStore(client, into: &figures)
      var failures = 0
      failures += try await measureReads(client, into: &figures)
      failures += try await measureEarns(client, into: &figures)
      try figures.emit(to: bench.out)
      if failures > 0 { print("loyalty: \(failures) calls failed") }
      return failures > 0
    }
    if failed { throw ExitCode.failure }
  }

  /// What the store holds, through the figures of the last 30 days.
  private func recordStore(
    _ client: Crm_Loyalty_V1_LoyaltyService.Client<HTTP2ClientTransport.Posix>,
    into figures: inout BenchFigures
  ) async throws {
    let now = Date()
    let started = ContinuousClock.now
    let response = try await client.getLoyaltyFigures(
      .with {
        $0.fromTime = Google_Protobuf_Timestamp(date: now.addingTimeInterval(-30 * 86_400))
        $0.toTime = Google_Protobuf_Timestamp(date: now)
      })
    figures.store["accounts"] = Int(response.accounts)
    figures.store["outstanding points"] = Int(response.outstandingPoints)
    for tier in response.tierMix { figures.store["\(tier.tier) members"] = Int(tier.members) }
    figures.add("GetLoyaltyFigures (30 days)", secondsSince(started) * 1000, "ms")
    guard response.accounts >= Int64(accounts) else {
      throw ValidationError(
        "the store has \(response.accounts) accounts, fewer than --accounts \(accounts)")
    }
  }

  /// GetAccount and the first ledger page at concurrency 1 and 32; returns the failures.
  private func measureReads(
    _ client: Crm_Loyalty_V1_LoyaltyService.Client<HTTP2ClientTransport.Posix>,
    into figures: inout BenchFigures
  ) async throws -> Int {
    let picker = BulkAccountPicker(accounts: accounts, seed: seed)
    var failures = 0
    for (concurrency, balanceP99, pageP99) in [(1, 5.0, 10.0), (32, 25.0, 50.0)] {
      let balance = await LatencySample.measure(count: bench.calls, concurrency: concurrency) { i in
        _ = try await client.getAccount(.with { $0.customerID = picker.customer(i, salt: 1) })
      }
      figures.add("GetAccount p50 (c\(concurrency))", balance.p50Milliseconds, "ms")
      figures.add(
        "GetAccount p99 (c\(concurrency))", balance.p99Milliseconds, "ms", under: balanceP99)
      let page = await LatencySample.measure(count: bench.calls, concurrency: concurrency) { i in
        let response = try await client.listLedgerEntries(
          .with { $0.customerID = picker.customer(i, salt: 2) })
        guard !response.entries.isEmpty else {
          throw ValidationError("a bulk account without ledger entries")
        }
      }
      figures.add("ListLedgerEntries page 1 p50 (c\(concurrency))", page.p50Milliseconds, "ms")
      figures.add(
        "ListLedgerEntries page 1 p99 (c\(concurrency))", page.p99Milliseconds, "ms",
        under: pageP99)
      failures += balance.failures + page.failures
    }
    return failures
  }

  /// Earns one at a time, then many in flight; returns the failures.
  private func measureEarns(
    _ client: Crm_Loyalty_V1_LoyaltyService.Client<HTTP2ClientTransport.Posix>,
    into figures: inout BenchFigures
  ) async throws -> Int {
    let run = EarnRun(
      client: client,
      picker: BulkAccountPicker(
        accounts: accounts, seed: seed &+ UInt64(Date().timeIntervalSince1970)),
      runID: "bench-" + String(UUID().uuidString.prefix(8)).lowercased())
    var failures = 0
    var single = singleTransactionRate
    if single == nil {
      let one = await run.earn(concurrency: 1, seconds: baselineSeconds, lane: "s")
      figures.add("EarnPoints/s (1 in flight)", one.rate, "earns/s")
      figures.add("EarnPoints p99 (1 in flight)", one.p99Milliseconds, "ms")
      failures += one.failures
      single = one.rate
    }
    let many = await run.earn(concurrency: earnConcurrency, seconds: earnSeconds, lane: "m")
    figures.add(
      "EarnPoints/s (\(earnConcurrency) in flight)", many.rate, "earns/s",
      atLeast: 5 * (single ?? 0))
    figures.add(
      "EarnPoints p99 (\(earnConcurrency) in flight)", many.p99Milliseconds, "ms", under: 200)
    figures.add(
      "EarnPoints failed (\(earnConcurrency) in flight)", Double(many.failures), "calls",
      under: 1)
    return failures + many.failures
  }
}

/// Random bulk accounts, the same for the same seed, pickable from concurrent calls.
struct BulkAccountPicker: Sendable {
  var accounts: Int
  var seed: UInt64

  /// The customer of call `i`; `salt` gives each figure its own sequence.
  func customer(_ i: Int, salt: UInt64) -> String {
    var random = SplitMix64(seed: seed &+ salt &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(i) &* 0xBF58_476D_1CE4_E5B9)
    return BulkIDs.customer(random.below(accounts))
  }
}
