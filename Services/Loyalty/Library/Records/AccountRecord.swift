import Foundation
import GRDB

/// A row of `loyalty_account`: one customer's points account.
struct AccountRecord: Codable, Hashable, FetchableRecord, PersistableRecord {
  static let databaseTableName = "loyalty_account"

  var customerID: String
  /// Always the sum of the customer's ledger entries, and of the remaining points of the lots.
  var balance: Int64
  var lifetimePoints: Int64
  /// Points a refund took back after they were spent; kept outside the balance so that the
  /// balance never goes negative, and paid from the next earnings.
  var pointsDebt: Int64
  /// Earned points not yet available (the rules' pending period); outside the balance.
  var pendingPoints: Int64
  /// The member's tier; empty until the first change, meaning the program's lowest tier.
  var tier: String
  /// When the tier is next reviewed for a downgrade; nil at the lowest tier.
  var tierPeriodEndsAt: Date?
  var createdAt: Date
  var updatedAt: Date

  enum CodingKeys: String, CodingKey {
    case balance
    case customerID = "customer_id"
    case lifetimePoints = "lifetime_points"
    case pointsDebt = "points_debt"
    case pendingPoints = "pending_points"
    case tier
    case tierPeriodEndsAt = "tier_period_ends_at"
    case createdAt = "created_at"
    case updatedAt = "updated_at"
  }

  /// A new, empty account.
  static func opened(customerID: String, at now: Date) -> AccountRecord {
    AccountRecord(
      customerID: customerID, balance: 0, lifetimePoints: 0, pointsDebt: 0, pendingPoints: 0,
      tier: "", tierPeriodEndsAt: nil, createdAt: now, updatedAt: now)
  }
}
