import ServiceKit

/// The interaction fill's streams and draws on top of the shared generator. Each customer gets
/// a stream of its own (seed, customer, purpose), which keeps the output independent of batch
/// sizes and of the order the parts are written.
extension SplitMix64 {
  /// A stream for `purpose` of customer `index` under `seed`.
  init(seed: UInt64, index: Int, purpose: UInt64) {
    self.init(
      seed: seed &+ UInt64(truncatingIfNeeded: index) &* 0x9E37_79B9_7F4A_7C15 &+ purpose
        &* 0xD1B5_4A32_D192_ED03)
    _ = next()
  }

  /// One of `items`, chosen in proportion to its weight.
  mutating func pick<T>(weighted items: [(T, Int)]) -> T {
    var roll = below(items.reduce(0) { $0 + $1.1 })
    for (item, weight) in items {
      if roll < weight { return item }
      roll -= weight
    }
    return items[items.count - 1].0
  }

  /// A UUID-shaped id (version 4, RFC 4122 variant) whose leading digits are `major` and
  /// `minor`, so ids written in (major, minor) order are appended to their B-tree instead of
  /// landing at random pages; the rest is random. The service's own ids are random UUIDs; both
  /// are opaque 36-character texts to every reader.
  mutating func orderedUUID(major: Int, minor: Int) -> String {
    let tail = next()
    let minor = UInt64(truncatingIfNeeded: minor)
    return hex(UInt64(truncatingIfNeeded: major), 8) + "-" + hex(minor >> 12 & 0xFFFF, 4) + "-4"
      + hex(minor & 0xFFF, 3) + "-" + hex(0x8000 | (tail >> 48 & 0x3FFF), 4) + "-"
      + hex(tail & 0xFFFF_FFFF_FFFF, 12)
  }

  private func hex(_ value: UInt64, _ width: Int) -> String {
    let digits = String(value, radix: 16)
    return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
  }
}
