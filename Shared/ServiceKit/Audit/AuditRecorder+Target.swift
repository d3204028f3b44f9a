import SwiftProtobuf

extension AuditRecorder {
  /// The id a request is about: the value of the first field whose JSON name ends in `Id`
  /// (`customerId`, `claimId`, `ruleId`, `orderId`...), looking at the request's own fields
  /// before those of nested messages, in field order; cut to 128 characters; "" when none.
  ///
  /// Read off the protobuf JSON form so one rule covers every request type, including ones
  /// added later, without a table of methods to keep in step. Unset fields are absent from
  /// that form, so an empty id is never chosen over a set one.
  public static func targetID(of message: any SwiftProtobuf.Message) -> String {
    guard let json = try? message.jsonString() else { return "" }
    var scanner = TargetIDScanner(json)
    guard let found = scanner.scan() else { return "" }
    return String(found.prefix(AuditEntry.maxTargetIDLength))
  }
}

/// Walks protobuf JSON once and keeps the shallowest scalar value of a key ending in `Id`.
/// Among keys at the same depth the first in the text wins, which is what a breadth-first
/// search finds; a hand-written walk because Foundation's JSON objects do not keep key order.
struct TargetIDScanner {
  private let bytes: [UInt8]
  private var index = 0
  private var best: (depth: Int, value: String)?

  init(_ json: String) {
    bytes = Array(json.utf8)
  }

  /// The value found, or nil when there is none or the text is not JSON.
  mutating func scan() -> String? {
    guard (try? value(depth: 0, key: nil)) != nil else { return nil }
    return best?.value
  }

  private struct Malformed: Error {}

  /// Parses one value; `key` is the object key it belongs to, `depth` how many containers
  /// enclose it.
  private mutating func value(depth: Int, key: String?) throws {
    skipSpace()
    guard index < bytes.count else { throw Malformed() }
    switch bytes[index] {
    case UInt8(ascii: "{"):
      index += 1
      skipSpace()
      if peek(UInt8(ascii: "}")) { return }
      repeat {
        skipSpace()
        let name = try string()
        skipSpace()
        try expect(UInt8(ascii: ":"))
        try value(depth: depth + 1, key: name)
        skipSpace()
      } while peek(UInt8(ascii: ","))
      try expect(UInt8(ascii: "}"))
    case UInt8(ascii: "["):
      index += 1
      skipSpace()
      if peek(UInt8(ascii: "]")) { return }
      repeat {
        try value(depth: depth + 1, key: nil)
        skipSpace()
      } while peek(UInt8(ascii: ","))
      try expect(UInt8(ascii: "]"))
    case UInt8(ascii: "\""):
      let text = try string()
      consider(key: key, value: text, depth: depth)
    default:
      // A number, true, false or null: the run of characters up to the next delimiter.
      let start = index
      while index < bytes.count, !Self.delimiters.contains(bytes[index]) { index += 1 }
      guard index > start else { throw Malformed() }
      let text = String(decoding: bytes[start..<index], as: UTF8.self)
      if let first = text.utf8.first, first == UInt8(ascii: "-") || (48...57).contains(first) {
        consider(key: key, value: text, depth: depth)
      }
    }
  }

  private mutating func consider(key: String?, value: String, depth: Int) {
    guard let key, key.hasSuffix("Id"), !value.isEmpty else { return }
    if best == nil || depth < best!.depth { best = (depth, value) }
  }

  /// Parses a string literal, escapes included.
  private mutating func string() throws -> String {
    try expect(UInt8(ascii: "\""))
    var out: [UInt8] = []
    while index < bytes.count {
      let byte = bytes[index]
      index += 1
      switch byte {
      case UInt8(ascii: "\""):
        return String(decoding: out, as: UTF8.self)
      case UInt8(ascii: "\\"):
        guard index < bytes.count else { throw Malformed() }
        let escape = bytes[index]
        index += 1
        switch escape {
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "u"):
          var scalar = try hex4()
          if (0xD800..<0xDC00).contains(scalar), bytes[index...].starts(with: Array("\\u".utf8)) {
            index += 2
            let low = try hex4()
            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
          }
          out.append(contentsOf: Array(String(Unicode.Scalar(scalar) ?? "\u{FFFD}").utf8))
        default: out.append(escape)  // \" \\ \/
        }
      default:
        out.append(byte)
      }
    }
    throw Malformed()
  }

  private mutating func hex4() throws -> UInt32 {
    guard index + 4 <= bytes.count,
      let value = UInt32(String(decoding: bytes[index..<index + 4], as: UTF8.self), radix: 16)
    else { throw Malformed() }
    index += 4
    return value
  }

  private mutating func skipSpace() {
    while index < bytes.count, Self.space.contains(bytes[index]) { index += 1 }
  }

  /// Consumes `byte` if it is next.
  private mutating func peek(_ byte: UInt8) -> Bool {
    guard index < bytes.count, bytes[index] == byte else { return false }
    index += 1
    return true
  }

  private mutating func expect(_ byte: UInt8) throws {
    guard peek(byte) else { throw Malformed() }
  }

  private static let space: Set<UInt8> = [0x20, 0x09, 0x0A, 0x0D]
  private static let delimiters: Set<UInt8> = space.union(
    [UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]")])
}
