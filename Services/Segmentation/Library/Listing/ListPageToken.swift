import Contracts
import Foundation
import ServiceKit
import SwiftProtobuf

/// The opaque ListCustomers page token: the last id of the previous page (keyset paging, so
/// inserts and updates never shift a page) and a fingerprint of the filter it was issued for
/// (so a token cannot be replayed against another filter and silently skip profiles).
struct ListPageToken: Equatable {
  var filterFingerprint: UInt64
  var lastID: String

  private static let version = "v1"

  static func fingerprint(of filter: Crm_Segmentation_V1_CustomerFilter) -> UInt64 {
    var options = BinaryEncodingOptions()
    options.useDeterministicOrdering = true
    let bytes: [UInt8] = (try? filter.serializedBytes(options: options)) ?? []
    return fnv1a(bytes)
  }

  /// FNV-1a: stable across processes and releases, unlike `Hasher`.
  private static func fnv1a(_ bytes: some Sequence<UInt8>) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in bytes {
      hash ^= UInt64(byte)
      hash = hash &* 0x100_0000_01b3
    }
    return hash
  }

  /// Catches a token that was cut or altered on its way back (not a secret: tokens are not
  /// authorization, only a resume point).
  private static func checksum(fingerprint: UInt64, lastID: String) -> String {
    String(fnv1a(Array("\(fingerprint):\(lastID)".utf8)), radix: 16)
  }

  var encoded: String {
    let check = Self.checksum(fingerprint: filterFingerprint, lastID: lastID)
    let plain = "\(Self.version):\(String(filterFingerprint, radix: 16)):\(check):\(lastID)"
    return Data(plain.utf8).base64EncodedString()
      .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
      .replacingOccurrences(of: "=", with: "")
  }

  /// Decodes `token`; INVALID_ARGUMENT naming `field` when it is not one this service issued.
  init(decoding token: String, field: String) throws(ServiceError) {
    var base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(
      of: "_", with: "/")
    base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
    guard token.count <= 512, let data = Data(base64Encoded: base64),
      let plain = String(data: data, encoding: .utf8)
    else { throw .invalidArgument(field: field, reason: "is not a page token this service issued") }
    let parts = plain.split(separator: ":", maxSplits: 3, omittingEmptySubsequences: false)
    guard parts.count == 4, parts[0] == Self.version, let fingerprint = UInt64(parts[1], radix: 16),
      !parts[3].isEmpty,
      parts[2] == Self.checksum(fingerprint: fingerprint, lastID: String(parts[3]))
    else { throw .invalidArgument(field: field, reason: "is not a page token this service issued") }
    filterFingerprint = fingerprint
    lastID = String(parts[3])
  }

  init(filterFingerprint: UInt64, lastID: String) {
    self.filterFingerprint = filterFingerprint
    self.lastID = lastID
  }
}
