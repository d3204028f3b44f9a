import Contracts
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Histogram

/// Durable earns for a fixed time with a fixed number in flight: each worker earns on random
/// bulk accounts, one call after the other, until the time is up.
struct EarnRun: Sendable {
  let client: Crm_Loyalty_V1_LoyaltyService.Client<HTTP2ClientTransport.Posix>
  let picker: BulkAccountPicker
  /// Unique to this measure run, so keys and order ids never repeat an earlier run's.
  let runID: String

  /// What one run of earns gave.
  struct Outcome {
    var acknowledged: Int
    var failures: Int
    var seconds: Double
    var p99Milliseconds: Double
    /// Acknowledged earns per second.
    var rate: Double { seconds > 0 ? Double(acknowledged) / seconds : 0 }
  }

  /// Earns for `seconds` with `concurrency` in flight; `lane` keeps the keys of the runs of
  /// one measure apart.
  func earn(concurrency: Int, seconds: Double, lane: String) async -> Outcome {
    let clock = ContinuousClock()
    let started = clock.now
    let deadline = started + .milliseconds(Int(seconds * 1000))
    var histogram = Histogram<UInt64>(
      highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: .three)
    var failures = 0
    var firstError: String?
    await withTaskGroup(of: (latencies: [UInt64], failures: Int, error: String?).self) { group in
      for worker in 0..<concurrency {
        group.addTask {
          var latencies: [UInt64] = []
          var failures = 0
          var error: String?
          var i = 0
          while clock.now < deadline {
            let id = "\(runID)-\(lane)\(worker)-\(i)"
            let start = clock.now
            do {
              _ = try await client.earnPoints(
                .with {
                  $0.customerID = picker.customer(worker * 1_000_000 + i, salt: 3)
                  $0.points = 10
                  $0.reason = "order \(id)"
                  $0.orderID = id
                  $0.idempotencyKey.key = id
                })
              let elapsed = clock.now - start
              latencies.append(
                UInt64(elapsed.components.seconds) * 1_000_000
                  + UInt64(elapsed.components.attoseconds / 1_000_000_000_000))
            } catch let failure {
              failures += 1
              error = error ?? "\(failure)"
            }
            i += 1
          }
          return (latencies, failures, error)
        }
      }
      for await result in group {
        for micros in result.latencies { histogram.record(micros) }
        failures += result.failures
        firstError = firstError ?? result.error
      }
    }
    if let firstError { print("loyalty: an earn failed: \(firstError)") }
    let elapsed = clock.now - started
    return Outcome(
      acknowledged: Int(histogram.totalCount), failures: failures,
      seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18,
      p99Milliseconds: Double(histogram.valueAtPercentile(99)) / 1000)
  }
}
