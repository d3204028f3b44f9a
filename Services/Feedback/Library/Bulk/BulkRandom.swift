/// SplitMix64: a small, fast generator whose sequence depends only on its seed, so a bulk fill
/// with the same seed writes the same store.
public struct BulkRandom: RandomNumberGenerator, Sendable {
  private var state: UInt64

  /// A generator starting from `seed`.
  public init(seed: UInt64) { state = seed }

  /// The next 64 random bits.
  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// A uniform value in `0..<bound`.
  mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(max(bound, 1))) }

  /// A uniform value in `[low, high)`.
  mutating func uniform(_ low: Double, _ high: Double) -> Double {
    low + (high - low) * Double(next() >> 11) / Double(1 << 53)
  }

  /// True with probability `p`.
  mutating func chance(_ p: Double) -> Bool { uniform(0, 1) < p }

  /// Whole seconds in `[low, high)`: the fill keeps every time on a whole second so the store's
  /// millisecond text form holds it exactly.
  mutating func seconds(_ low: Double, _ high: Double) -> Int64 {
    Int64(uniform(low, high).rounded(.down))
  }
}
