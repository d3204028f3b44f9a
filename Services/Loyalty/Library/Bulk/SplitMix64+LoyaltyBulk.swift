import ServiceKit

/// The loyalty fill's draws on top of the shared generator.
extension SplitMix64 {
  /// A lowercased UUID (version 4 layout, as the service's `UUID().uuidString.lowercased()`)
  /// whose first 48 bits are `sequence`, so that the fill inserts ids into their index in
  /// order instead of at random places.
  mutating func uuid(sequence: UInt64) -> String {
    let low = next()
    let hex = { (value: UInt64, width: Int) -> String in
      let digits = String(value, radix: 16)
      return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
    return hex(sequence >> 16 & 0xFFFF_FFFF, 8) + "-" + hex(sequence & 0xFFFF, 4) + "-4"
      + hex(low >> 52 & 0xFFF, 3) + "-" + hex(0x8000 | (low >> 36 & 0x3FFF), 4) + "-"
      + hex(low & 0xFFFF_FFFF_FFFF, 12)
  }

  /// A code of `length` characters from `alphabet` (32 symbols) that no other `sequence`
  /// gets: the sequence is scrambled by an odd multiplier, a bijection modulo 2^(5·length).
  static func code(sequence: UInt64, length: Int, alphabet: [Character]) -> String {
    let bits = UInt64(5 * length)
    let mask: UInt64 = bits >= 64 ? .max : (1 << bits) - 1
    var value = (sequence &* 0x9E37_79B9_7F4A_7C15 &+ 0x5851_F42D) & mask
    var characters: [Character] = []
    for _ in 0..<length {
      characters.append(alphabet[Int(value & 31)])
      value >>= 5
    }
    return String(characters)
  }
}
