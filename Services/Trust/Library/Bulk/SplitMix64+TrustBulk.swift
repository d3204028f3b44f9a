import ServiceKit

/// The trust fill's streams and draws on top of the shared generator: one stream per product, so
/// a product's reviews depend only on the seed and its number (never on the order or batching
/// of the fill).
extension SplitMix64 {
  /// The stream of product `stream` under `seed`.
  init(seed: UInt64, stream: UInt64) {
    self.init(seed: seed ^ ((stream &+ 1) &* 0xD6E8_FEB8_6659_FD93))
    _ = next()
  }

  /// A step in 1..<modulus sharing no factor with it, so `start + i * step (mod modulus)`
  /// visits distinct values for i below the modulus: distinct customers without a set.
  mutating func coprimeStep(modulus: Int) -> Int {
    guard modulus > 2 else { return 1 }
    while true {
      let step = 1 + below(modulus - 1)
      if Self.gcd(step, modulus) == 1 { return step }
    }
  }

  /// A version-4 UUID in lower case, the form the service gives its ids.
  mutating func uuid() -> String {
    let high = next()
    let low = next()
    var bytes = [UInt8](repeating: 0, count: 16)
    for i in 0..<8 {
      bytes[i] = UInt8(truncatingIfNeeded: high >> (56 - 8 * i))
      bytes[8 + i] = UInt8(truncatingIfNeeded: low >> (56 - 8 * i))
    }
    bytes[6] = (bytes[6] & 0x0F) | 0x40
    bytes[8] = (bytes[8] & 0x3F) | 0x80
    let digits = Array("0123456789abcdef".utf8)
    var text: [UInt8] = []
    text.reserveCapacity(36)
    for (i, byte) in bytes.enumerated() {
      if i == 4 || i == 6 || i == 8 || i == 10 { text.append(UInt8(ascii: "-")) }
      text.append(digits[Int(byte >> 4)])
      text.append(digits[Int(byte & 0x0F)])
    }
    return String(decoding: text, as: UTF8.self)
  }

  static func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }
}
