import ServiceKit

extension SplitMix64 {
  /// A generator for one customer of a seeded run: independent of the order customers are made in.
  init(seed: UInt64, customer stream: UInt64) {
    self.init(seed: seed &+ stream &* 0x9E37_79B9_7F4A_7C15)
    _ = next()
  }
}
