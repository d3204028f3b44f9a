import Synchronization

/// Token buckets per identity and permission level: each level has a rate (calls per second)
/// and a burst of twice that, so a caller may catch up after a pause but not hold a flood.
public final class RateLimiter: Sendable {
  private struct Bucket {
    var tokens: Double
    var updated: ContinuousClock.Instant
  }

  private let rates: [Permission.Level: Double]
  private let buckets = Mutex<[String: Bucket]>([:])
  /// Buckets kept at most; past it the full (idle) ones are forgotten, as they would refill anyway.
  private let maxBuckets = 10_000

  /// Limits calls at each level to `rates` per second per identity; 0 or absent is no limit.
  public init(rates: [Permission.Level: Double]) {
    self.rates = rates.filter { $0.value > 0 }
  }

  /// Whether nothing is limited.
  public var isUnlimited: Bool { rates.isEmpty }

  /// Takes one call from `identity`'s bucket at `level`; false when it is empty.
  public func allow(_ identity: String, level: Permission.Level, now: ContinuousClock.Instant = .now) -> Bool {
    guard let rate = rates[level] else { return true }
    let burst = max(1, rate * 2)
    let key = "\(level.rawValue)|\(identity)"
    return buckets.withLock { buckets in
      var bucket = buckets[key] ?? Bucket(tokens: burst, updated: now)
      let elapsed = now - bucket.updated
      let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
      bucket.tokens = min(burst, bucket.tokens + seconds * rate)
      bucket.updated = now
      let allowed = bucket.tokens >= 1
      if allowed { bucket.tokens -= 1 }
      if buckets.count >= maxBuckets && buckets[key] == nil {
        buckets = buckets.filter { entry in
          let idle = now - entry.value.updated
          return Double(idle.components.seconds) < 2 * burst / (rates.values.min() ?? 1)
        }
      }
      buckets[key] = bucket
      return allowed
    }
  }
}
