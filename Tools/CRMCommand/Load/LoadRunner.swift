import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Histogram
import ServiceKit
import Synchronization

/// How a run paces itself.
enum LoadMode: Sendable {
  /// `connections` x `concurrency` RPCs in flight, each sent as soon as the previous answered.
  case closed(concurrency: Int)
  /// A fixed rate; latency is measured from when each request was due, so a stall counts
  /// against every request it delayed (coordinated omission corrected).
  case open(ratePerSecond: Double)
}

/// What a run measured.
struct LoadResult: Codable, Sendable {
  var target: String
  var scenario: String
  var mode: String
  var connections: Int
  var concurrency: Int?
  var ratePerSecond: Double?
  var seconds: Double
  var requests: Int
  var ok: Int
  /// Every answer by gRPC status name; only OK counts towards throughput.
  var statuses: [String: Int]
  /// OK answers per second.
  var throughput: Double
  var latencyMicroseconds: Latency
  /// Throughput as a share of the echo baseline measured in the same run (when asked for).
  var ratioToEcho: Double?
  var echoThroughput: Double?

  struct Latency: Codable, Sendable {
    var p50: UInt64, p90: UInt64, p99: UInt64, p999: UInt64, max: UInt64, mean: Double
  }
}

/// Drives one scenario against one address, bounded by a count and a time.
struct LoadRunner: Sendable {
  let address: PeerAddress
  let security: ClientSecurity
  let scenario: LoadScenario
  let connections: Int
  let mode: LoadMode
  let duration: Duration
  let maxRequests: Int
  let timeout: Duration
  let progress: Bool

  func run(target: String) async throws -> LoadResult {
    let dialled = address.host == "localhost" ? PeerAddress(host: "127.0.0.1", port: address.port) : address
    let clients = try (0..<connections).map { _ in try security.client(to: dialled) }
    return try await withThrowingTaskGroup(of: Void.self) { group in
      for client in clients { group.addTask { try await client.runConnections() } }
      defer { for client in clients { client.beginGracefulShutdown() } }
      try await scenario.setup(clients[0])
      let result = await measure(clients)
      for client in clients { client.beginGracefulShutdown() }
      try await group.waitForAll()
      return LoadResult(
        target: target, scenario: scenario.name, mode: modeName, connections: connections,
        concurrency: { if case .closed(let c) = mode { c } else { nil } }(),
        ratePerSecond: { if case .open(let r) = mode { r } else { nil } }(),
        seconds: result.seconds, requests: result.requests, ok: result.ok, statuses: result.statuses,
        throughput: Double(result.ok) / max(result.seconds, 1e-9), latencyMicroseconds: result.latency)
    }
  }

  private var modeName: String {
    switch mode {
    case .closed: "closed-loop"
    case .open: "open-loop"
    }
  }

  fileprivate struct Tally: Sendable {
    var histogram = Histogram<UInt64>(highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: .three)
    var statuses: [String: Int] = [:]

    mutating func record(_ micros: UInt64, _ status: String) {
      _ = histogram.record(min(micros, 60_000_000))
      statuses[status, default: 0] += 1
    }

    mutating func merge(_ other: Tally) {
      histogram.add(other.histogram)
      statuses.merge(other.statuses, uniquingKeysWith: +)
    }
  }

  private func measure(_ clients: [LoadClient]) async -> (seconds: Double, requests: Int, ok: Int, statuses: [String: Int], latency: LoadResult.Latency) {
    let counters = LoadCounters()
    let started = ContinuousClock.now
    let deadline = started + duration
    let options: CallOptions = {
      var options = CallOptions.defaults
      options.timeout = timeout
      return options
    }()

    let reporter = Task {
      guard progress else { return }
      var last = 0
      while !Task.isCancelled {
        try? await Task.sleep(for: .seconds(1))
        let done = counters.completed.load(ordering: .relaxed)
        let elapsed = (ContinuousClock.now - started).seconds
        FileHandle.standardError.write(Data(
          "  \(String(format: "%5.1f", elapsed)) s  \(done) done  \(done - last)/s  \(counters.failed.load(ordering: .relaxed)) not OK\n".utf8))
        last = done
      }
    }
    defer { reporter.cancel() }

    /// Sends one request; returns its latency from `due` and its status.
    @Sendable func send(_ n: Int, due: ContinuousClock.Instant) async -> (micros: UInt64, status: String) {
      let operation = scenario.operation(for: n)
      let client = clients[n % clients.count]
      var status = "OK"
      do {
        try await operation.send(client, n, options)
      } catch let error as RPCError {
        status = StatusNames.name(error.code)
      } catch {
        status = "CLIENT_ERROR"
      }
      counters.completed.add(1, ordering: .relaxed)
      if status != "OK" { counters.failed.add(1, ordering: .relaxed) }
      return (UInt64(max(0, (ContinuousClock.now - due).microseconds)), status)
    }

    var total = Tally()
    switch mode {
    case .closed(let concurrency):
      await withTaskGroup(of: Tally.self) { group in
        for _ in 0..<(concurrency * clients.count) {
          group.addTask {
            var tally = Tally()
            while ContinuousClock.now < deadline {
              let n = counters.sequence.add(1, ordering: .relaxed).oldValue
              if n >= maxRequests { break }
              let (micros, status) = await send(n, due: .now)
              tally.record(micros, status)
            }
            return tally
          }
        }
        for await tally in group { total.merge(tally) }
      }
    case .open(let rate):
      let interval = Duration.seconds(1 / rate)
      let shared = SharedTally()
      await withDiscardingTaskGroup { group in
        var n = 0
        while n < maxRequests {
          let due = started + interval * n
          if due >= deadline { break }
          if due > .now { try? await Task.sleep(until: due) }
          let index = n
          group.addTask {
            let (micros, status) = await send(index, due: due)
            shared.state.withLock { $0.record(micros, status) }
          }
          n += 1
        }
      }
      total = shared.state.withLock { $0 }
    }
    let seconds = (ContinuousClock.now - started).seconds
    let histogram = total.histogram
    let requests = total.statuses.values.reduce(0, +)
    return (
      seconds, requests, total.statuses["OK"] ?? 0, total.statuses,
      LoadResult.Latency(
        p50: histogram.valueAtPercentile(50), p90: histogram.valueAtPercentile(90),
        p99: histogram.valueAtPercentile(99), p999: histogram.valueAtPercentile(99.9),
        max: histogram.max, mean: histogram.mean)
    )
  }
}

extension Duration {
  var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
  var microseconds: Int64 { components.seconds * 1_000_000 + components.attoseconds / 1_000_000_000_000 }
}

/// The counters every sender of a run shares.
final class LoadCounters: Sendable {
  /// The next request's sequence number (closed loop).
  let sequence = Atomic<Int>(0)
  /// Answers so far.
  let completed = Atomic<Int>(0)
  /// Answers other than OK so far.
  let failed = Atomic<Int>(0)
}

/// The open loop's tally, which every request's task records into.
private final class SharedTally: Sendable {
  let state = Mutex(LoadRunner.Tally())
}
