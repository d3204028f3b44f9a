/// SplitMix64: a small, fast generator whose sequence depends only on its seed, so a seed run
/// twice produces the same data set.
struct SeedRandom: RandomNumberGenerator {
  private var state: UInt64

  /// A generator for one customer of a seeded run: independent of the order customers are made in.
  init(seed: UInt64, stream: UInt64) {
    state = seed &+ stream &* 0x9E37_79B9_7F4A_7C15
    _ = next()
  }

  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// True with probability `p`.
  mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &self) < p }

  /// One element of `items`.
  mutating func pick<T>(_ items: [T]) -> T { items[Int.random(in: 0..<items.count, using: &self)] }
}
