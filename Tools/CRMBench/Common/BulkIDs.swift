/// The ids every bulk-filled store uses, so that stores filled with the same counts describe
/// the same customers and products across services.
enum BulkIDs {
  /// The id of customer `n` (0-based).
  static func customer(_ n: Int) -> String { "bulk-" + padded(n, 7) }
  /// The id of product `n` (0-based).
  static func product(_ n: Int) -> String { "p-" + padded(n, 5) }

  static func padded(_ n: Int, _ width: Int) -> String {
    let digits = String(n)
    return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
  }
}
