import Foundation
import Histogram

/// Latency of repeated calls: `count` calls of `body`, `concurrency` at a time, recorded in
/// microseconds in an HDR histogram.
struct LatencySample {
  var count: Int
  var seconds: Double
  var p50Milliseconds: Double
  var p99Milliseconds: Double
  var maxMilliseconds: Double
  var failures: Int

  /// Calls per second over the sample.
  var rate: Double { seconds > 0 ? Double(count) / seconds : 0 }

  /// Runs `body(i)` for i in 0..<count with `concurrency` in flight; a thrown error counts as a
  /// failure (and is not timed).
  static func measure(
    count: Int, concurrency: Int = 1, _ body: @escaping @Sendable (Int) async throws -> Void
  ) async -> LatencySample {
    let clock = ContinuousClock()
    let started = clock.now
    var histogram = Histogram<UInt64>(highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: .three)
    var failures = 0
    await withTaskGroup(of: (UInt64?).self) { group in
      var next = 0
      func launch() {
        let i = next
        next += 1
        group.addTask {
          let start = clock.now
          do {
            try await body(i)
            let elapsed = clock.now - start
            return UInt64(elapsed.components.seconds) * 1_000_000 + UInt64(elapsed.components.attoseconds / 1_000_000_000_000)
          } catch {
            return nil
          }
        }
      }
      while next < min(concurrency, count) { launch() }
      for await micros in group {
        if let micros { histogram.record(micros) } else { failures += 1 }
        if next < count { launch() }
      }
    }
    let elapsed = clock.now - started
    return LatencySample(
      count: count,
      seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18,
      p50Milliseconds: Double(histogram.valueAtPercentile(50)) / 1000,
      p99Milliseconds: Double(histogram.valueAtPercentile(99)) / 1000,
      maxMilliseconds: Double(histogram.max) / 1000,
      failures: failures)
  }
}
