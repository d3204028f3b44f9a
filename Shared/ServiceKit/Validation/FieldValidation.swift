import Foundation
import SwiftProtobuf

/// Checks of request fields shared by every service; each throws INVALID_ARGUMENT naming the
/// field, so callers learn exactly what to fix.
public enum FieldValidation {
  /// A non-empty id (of at most 128 characters).
  public static func requireID(_ value: String, field: String) throws(ServiceError) {
    if value.isEmpty { throw .invalidArgument(field: field, reason: "is required") }
    if value.count > 128 { throw .invalidArgument(field: field, reason: "must be at most 128 characters") }
  }

  /// Text of 1...`maxLength` characters (after trimming white space).
  public static func requireText(_ value: String, field: String, maxLength: Int) throws(ServiceError) {
    if value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
      throw .invalidArgument(field: field, reason: "is required")
    }
    try limitText(value, field: field, maxLength: maxLength)
  }

  /// Optional text of at most `maxLength` characters.
  public static func limitText(_ value: String, field: String, maxLength: Int) throws(ServiceError) {
    if value.count > maxLength {
      throw .invalidArgument(field: field, reason: "must be at most \(maxLength) characters")
    }
  }

  /// An optional email address: empty, or local@domain with a dot in the domain.
  public static func email(_ value: String, field: String) throws(ServiceError) {
    guard !value.isEmpty else { return }
    let parts = value.split(separator: "@", omittingEmptySubsequences: false)
    let valid =
      value.count <= 254 && parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".")
      && !parts[1].hasPrefix(".") && !parts[1].hasSuffix(".")
      && !value.contains(where: { $0.isWhitespace })
    if !valid { throw .invalidArgument(field: field, reason: "is not a valid email address") }
  }

  /// An optional phone number: empty, or E.164 (`+`, then 8 to 15 digits, not starting with 0).
  public static func e164Phone(_ value: String, field: String) throws(ServiceError) {
    guard !value.isEmpty else { return }
    let digits = value.dropFirst()
    let valid =
      value.hasPrefix("+") && (8...15).contains(digits.count)
      && digits.allSatisfy { $0.isASCII && $0.isNumber } && digits.first != "0"
    if !valid { throw .invalidArgument(field: field, reason: "must be an E.164 number such as +8613800138000") }
  }

  /// An optional IANA time zone name.
  public static func timeZone(_ value: String, field: String) throws(ServiceError) {
    guard !value.isEmpty else { return }
    if TimeZone(identifier: value) == nil {
      throw .invalidArgument(field: field, reason: "\(quoted(value)) is not an IANA time zone")
    }
  }

  /// An integer within `range`.
  public static func require<T: Comparable>(_ value: T, in range: ClosedRange<T>, field: String) throws(ServiceError) {
    if !range.contains(value) {
      throw .invalidArgument(field: field, reason: "must be from \(range.lowerBound) to \(range.upperBound)")
    }
  }
}

extension FieldValidation {
  /// The most of a caller's value that an error message quotes.
  public static let quotedPrefixLength = 40

  /// A caller's value as an error message may show it: in single quotes, control characters
  /// escaped, and cut to its first ``quotedPrefixLength`` characters followed by "…" and its
  /// full length when longer (`'Europe/Pa…' (10240 characters)`).
  ///
  /// Every caller-supplied value in an error message goes through here: a message must not
  /// carry a caller's 4 MB string back to it (or into a client's logs) whole.
  public static func quoted(_ value: some StringProtocol) -> String {
    // Cut on Unicode scalars, not characters: one "character" can be any number of combining
    // marks long.
    let scalars = value.unicodeScalars
    guard scalars.count > quotedPrefixLength else {
      return "'\(LogEscaping.escape(String(value)))'"
    }
    var prefix = String.UnicodeScalarView()
    prefix.append(contentsOf: scalars.prefix(quotedPrefixLength))
    return "'\(LogEscaping.escape(String(prefix)))…' (\(value.count) characters)"
  }

  /// A proto enum field that must be set (not `_UNSPECIFIED`) to a value this build knows.
  public static func requireKnown<E: SwiftProtobuf.Enum & CaseIterable>(_ value: E, field: String) throws(ServiceError) {
    guard value.rawValue != 0, E.allCases.contains(value) else {
      throw .invalidArgument(field: field, reason: "must be set to one of its listed values")
    }
  }

  /// A proto enum field that may be left `_UNSPECIFIED` but is otherwise a known value.
  public static func optionalKnown<E: SwiftProtobuf.Enum & CaseIterable>(_ value: E, field: String) throws(ServiceError) {
    guard value.rawValue == 0 || E.allCases.contains(value) else {
      throw .invalidArgument(field: field, reason: "is not one of its listed values")
    }
  }
}
