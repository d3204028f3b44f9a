import Foundation
import GRDB
import ServiceKit

/// One bulk customer as segmentation would describe it, drawn from its own random stream.
struct BulkCustomer: Sendable {
  /// Tiers of segmentation's default rules, in rough production proportions.
  static let tiers: [(String, Int)] = [
    ("ordinary", 55), ("potential", 18), ("high_value", 10), ("churn_risk", 10), ("high_value_active", 4),
    ("dormant_high_value", 3),
  ]
  static let stages: [(String, Int)] = [("new", 10), ("active", 65), ("dormant", 18), ("churned", 7)]
  /// Mixed zones, east and west of UTC, a half-hour one and one past +12 in summer.
  static let zones = [
    "Asia/Shanghai", "Asia/Shanghai", "Asia/Shanghai", "Asia/Shanghai", "Asia/Hong_Kong", "Asia/Singapore",
    "Asia/Tokyo", "Asia/Kolkata", "Europe/Berlin", "Europe/London", "America/New_York", "America/Los_Angeles",
    "Pacific/Auckland", "UTC",
  ]
  static let needs = ["need:basic_service", "need:customisation", "vip", "newsletter"]
  /// Month lengths of a leap year: birthdays include 29 February.
  static let monthLengths = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

  let n: Int
  let id: String
  let facts: CustomerFacts
  /// (kind, month, day, year) as SetCustomerDates stores them.
  let dates: [(kind: String, month: Int, day: Int, year: Int)]
  /// A channel the customer opted out of, if any.
  let optOut: Int?
  let copyUpdatedAt: Date

  init(n: Int, plan: InteractionBulkFill.Plan) {
    var random = SplitMix64(seed: plan.seed, index: n, purpose: 1)
    self.n = n
    id = plan.customerID(n)
    var facts = CustomerFacts(customerID: id)
    facts.displayName = "Customer \(n)"
    facts.tier = random.pick(weighted: Self.tiers)
    facts.lifecycleStage =
      facts.tier == "churn_risk" || facts.tier == "dormant_high_value"
      ? "dormant" : random.pick(weighted: Self.stages)
    facts.timeZone = random.pick(Self.zones)
    facts.accountManager = InteractionBulkFill.managerName(Int.random(in: 0..<plan.managers, using: &random))
    facts.tags = Self.needs.filter { _ in random.chance(0.2) }
    facts.source = .staleCopy
    self.facts = facts
    var dates: [(String, Int, Int, Int)] = []
    for (kind, share, years) in [("birthday", 0.9, 1950...2006), ("anniversary", 0.4, 2005...2025)]
    where random.chance(share) {
      var dayOfYear = Int.random(in: 0..<366, using: &random)
      var month = 0
      while dayOfYear >= Self.monthLengths[month] {
        dayOfYear -= Self.monthLengths[month]
        month += 1
      }
      dates.append((kind, month + 1, dayOfYear + 1, random.chance(0.8) ? Int.random(in: years, using: &random) : 0))
    }
    self.dates = dates
    optOut = random.chance(0.03) ? random.pick([1, 2, 4]) : nil
    copyUpdatedAt = plan.asOf.addingTimeInterval(-Double.random(in: 3_600..<(30 * 86_400), using: &random))
  }
}

extension InteractionBulkFill {
  /// The customer's local copy, dates and opt-out; returns the rows written.
  static func writeCustomer(
    _ db: Database, _ customer: BulkCustomer, plan: Plan, counts: inout Counts
  ) throws -> Int {
    // The copy exactly as CustomerFacts.save keeps it.
    try customer.facts.save(db, now: customer.copyUpdatedAt)
    counts.customers += 1
    let insertDate = try db.cachedStatement(
      sql: "INSERT INTO customer_date (customer_id, kind, month, day, year, time_zone) VALUES (?, ?, ?, ?, ?, ?)")
    for date in customer.dates {
      try insertDate.execute(arguments: [customer.id, date.kind, date.month, date.day, date.year, customer.facts.timeZone])
    }
    counts.customerDates += customer.dates.count
    if let channel = customer.optOut {
      try db.cachedStatement(sql: "INSERT INTO opt_out (customer_id, channel, created_at) VALUES (?, ?, ?)")
        .execute(arguments: [customer.id, channel, customer.copyUpdatedAt])
      counts.optOuts += 1
    }
    return 1 + customer.dates.count + (customer.optOut == nil ? 0 : 1)
  }
}
