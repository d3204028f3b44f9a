import Foundation

/// SplitMix64: a small, fast generator whose stream depends only on its seed, so a bulk fill
/// with the same seed writes the same store on every machine.
struct BulkRandom {
  private var state: UInt64

  init(seed: UInt64) { state = seed }

  /// The generator of one customer: its stream depends on the fill's seed and the customer's
  /// number only, so a customer's data does not move when the counts of others change.
  init(seed: UInt64, stream: Int) {
    var mixer = BulkRandom(seed: seed ^ (UInt64(truncatingIfNeeded: stream) &* 0x9E37_79B9_7F4A_7C15))
    state = mixer.next()
  }

  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// Uniform in [0, 1).
  mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }

  /// Uniform in `range`.
  mutating func int(_ range: Range<Int>) -> Int {
    range.lowerBound + Int(next() % UInt64(range.count))
  }

  /// True with probability `p`.
  mutating func chance(_ p: Double) -> Bool { unit() < p }

  /// Log-uniform in [low, high): many small values, a long tail of large ones.
  mutating func logUniform(_ low: Double, _ high: Double) -> Double {
    exp(log(low) + unit() * (log(high) - log(low)))
  }
}
