import Foundation
import Histogram

/// Calls made one after another in the background while something else is measured (the
/// reads and writes during a re-tier): latency of each, until the loop is cancelled.
struct BackgroundCallLoop {
  /// What the loop saw.
  struct Result: Sendable {
    var calls = 0
    var failures = 0
    var p50Milliseconds = 0.0
    var p99Milliseconds = 0.0
    var maxMilliseconds = 0.0
  }

  /// Starts calling `body(i)` for i = 0, 1, ... until the returned task is cancelled.
  static func start(_ body: @escaping @Sendable (Int) async throws -> Void) -> Task<Result, Never> {
    Task {
      let clock = ContinuousClock()
      var histogram = Histogram<UInt64>(
        highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: .three)
      var result = Result()
      var i = 0
      while !Task.isCancelled {
        let start = clock.now
        do {
          try await body(i)
          let elapsed = clock.now - start
          histogram.record(
            UInt64(elapsed.components.seconds) * 1_000_000
              + UInt64(elapsed.components.attoseconds / 1_000_000_000_000))
          result.calls += 1
        } catch {
          // A call cut short by the end of the loop is not a failure.
          if !Task.isCancelled { result.failures += 1 }
        }
        i += 1
      }
      if result.calls > 0 {
        result.p50Milliseconds = Double(histogram.valueAtPercentile(50)) / 1000
        result.p99Milliseconds = Double(histogram.valueAtPercentile(99)) / 1000
        result.maxMilliseconds = Double(histogram.max) / 1000
      }
      return result
    }
  }
}
