/// SplitMix64 (Steele, Lea and Flood): a small, fast generator whose sequence depends only on
/// its seed, so a bulk fill or a `crm seed` run with the same seed writes the same data on
/// every machine.
///
/// Not for anything secret: its output is predictable from one value.
public struct SplitMix64: RandomNumberGenerator, Sendable {
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

  /// A uniform value in `[0, 1)`, from the top 53 bits of the next value.
  public mutating func unit() -> Double { Double(next() >> 11) * 0x1p-53 }

  /// A uniform value in `0..<bound`; `0` when `bound` is not positive. The modulo bias is far
  /// below anything a fill could show.
  public mutating func below(_ bound: Int) -> Int {
    guard bound > 1 else { return 0 }
    return Int(next() % UInt64(bound))
  }

  /// True with probability `p`.
  public mutating func chance(_ p: Double) -> Bool { unit() < p }

  /// One element of `items`, which must not be empty.
  public mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }
}
