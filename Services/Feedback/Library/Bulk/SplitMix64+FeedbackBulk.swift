import ServiceKit

/// The feedback fill's own draws on top of the shared generator.
extension SplitMix64 {
  /// A uniform value in `[low, high)`.
  mutating func uniform(_ low: Double, _ high: Double) -> Double {
    low + (high - low) * unit()
  }

  /// Whole seconds in `[low, high)`: the fill keeps every time on a whole second so the store's
  /// millisecond text form holds it exactly.
  mutating func seconds(_ low: Double, _ high: Double) -> Int64 {
    Int64(uniform(low, high).rounded(.down))
  }
}
