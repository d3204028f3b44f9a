import ServiceKit

/// Checks of money fields: integer minor units of an ISO 4217 currency.
enum MoneyRules {
  /// Far above any real order, and far enough below Int64.max that summing a profile's
  /// history cannot overflow.
  static let maxAmountMinor: Int64 = 1_000_000_000_000_000

  /// A three-letter upper-case code.
  static func currency(_ value: String, field: String) throws(ServiceError) -> String {
    guard value.count == 3, value.allSatisfy({ $0.isASCII && $0.isUppercase && $0.isLetter }) else {
      throw .invalidArgument(field: field, reason: "must be an ISO 4217 code such as CNY")
    }
    return value
  }

  /// 0 through `maxAmountMinor`.
  static func amount(_ value: Int64, field: String) throws(ServiceError) -> Int64 {
    try FieldValidation.require(value, in: 0...maxAmountMinor, field: field)
    return value
  }
}
