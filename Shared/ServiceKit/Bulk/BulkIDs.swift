/// The ids of the bulk-filled stores (`crm-bench <service> fill`), the same in every service so
/// that stores filled with the same counts describe the same customers and products, and `crm
/// load` can address them without listing.
public enum BulkIDs {
  /// The id of customer `n` (0-based): `bulk-0000000`.
  public static func customer(_ n: Int) -> String { "bulk-" + padded(n, 7) }
  /// The id of product `n` (0-based): `p-00000`.
  public static func product(_ n: Int) -> String { "p-" + padded(n, 5) }

  /// `n` in decimal with leading zeros up to `width` digits.
  public static func padded(_ n: Int, _ width: Int) -> String {
    let digits = String(n)
    return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
  }
}
