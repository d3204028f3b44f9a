import Foundation
import GRDB

/// The attributes tier and tag rules compare, read from one profile at one moment.
public struct ProfileFacts: Sendable {
  /// Number attributes by name (money in minor units).
  public var numbers: [String: Double]
  /// Text attributes by name.
  public var texts: [String: String]
  /// The profile's tags, manual and automatic.
  public var tags: Set<String>

  /// Facts given attribute by attribute (the micro-benchmarks build profiles this way).
  public init(numbers: [String: Double], texts: [String: String], tags: Set<String>) {
    self.numbers = numbers
    self.texts = texts
    self.tags = tags
  }

  /// The number attributes a comparison may name (money in minor units).
  static let numberAttributes: Set<String> = [
    "total_spend", "annual_spend", "total_margin", "purchase_count", "purchases_last_3_months",
    "recency_days", "activity_recency_days", "days_since_first_purchase", "rfm_recency",
    "rfm_frequency", "rfm_monetary",
  ]
  /// The text attributes a comparison may name.
  static let textAttributes: Set<String> = [
    "lifecycle_stage", "type", "loyalty_tier", "source_channel",
  ]
  /// The tag-set attribute.
  static let tagAttribute = "tags"

  static func read(_ db: Database, record: CustomerRecord, now: Date) throws -> ProfileFacts {
    let tags = try String.fetchAll(
      db.cachedStatement(sql: "SELECT tag FROM customer_tag WHERE customer_id = ?"),
      arguments: [record.id])
    let windows = try CustomerProfile.windowFigures(db, customerID: record.id, now: now)
    return ProfileFacts(record: record, tags: Set(tags), windows: windows, now: now)
  }

  init(
    record: CustomerRecord, tags: Set<String>,
    windows: (annualSpend: Int64, recentPurchases: Int64), now: Date
  ) {
    func days(since date: Date?) -> Double? {
      date.map { (now.timeIntervalSince($0) / 86_400).rounded(.down) }
    }
    var numbers: [String: Double] = [
      "total_spend": Double(record.totalSpendMinor),
      "annual_spend": Double(windows.annualSpend),
      "total_margin": Double(record.totalMarginMinor),
      "purchase_count": Double(record.purchaseCount),
      "purchases_last_3_months": Double(windows.recentPurchases),
    ]
    numbers["recency_days"] = days(since: record.lastPurchaseAt)
    if record.rfmRecency > 0 {
      numbers["rfm_recency"] = Double(record.rfmRecency)
      numbers["rfm_frequency"] = Double(record.rfmFrequency)
      numbers["rfm_monetary"] = Double(record.rfmMonetary)
    }
    // Before any activity, inactivity counts from registration (as the lifecycle does).
    numbers["activity_recency_days"] = days(since: record.lastActivityAt ?? record.createdAt)
    numbers["days_since_first_purchase"] = days(since: record.firstPurchaseAt)
    self.numbers = numbers
    let type = record.type == 1 ? "individual" : record.type == 2 ? "enterprise" : ""
    texts = [
      "lifecycle_stage": record.lifecycleStage, "type": type, "loyalty_tier": record.loyaltyTier,
      "source_channel": record.sourceChannel,
    ]
    self.tags = tags
  }
}
