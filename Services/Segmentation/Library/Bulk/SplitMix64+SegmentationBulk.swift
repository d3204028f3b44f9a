import Foundation
import ServiceKit

/// The segmentation fill's streams and draws on top of the shared generator.
extension SplitMix64 {
  /// The generator of one customer: its stream depends on the fill's seed and the customer's
  /// number only, so a customer's data does not move when the counts of others change.
  init(seed: UInt64, stream: Int) {
    var mixer = SplitMix64(seed: seed ^ (UInt64(truncatingIfNeeded: stream) &* 0x9E37_79B9_7F4A_7C15))
    self.init(seed: mixer.next())
  }

  /// Uniform in `range`.
  mutating func int(_ range: Range<Int>) -> Int { range.lowerBound + below(range.count) }

  /// Log-uniform in [low, high): many small values, a long tail of large ones.
  mutating func logUniform(_ low: Double, _ high: Double) -> Double {
    exp(log(low) + unit() * (log(high) - log(low)))
  }
}
