import Contracts
import Foundation
import GRDB
import ServiceKit
import SwiftProtobuf

/// The earning rules as data: kept in the store as the `EarningRules` message, so an operator
/// changes rates, bonuses and rewards without a release.
enum EarningRules {
  /// Minor units per currency unit for the currencies the suite serves today.
  static let minorUnitsPerUnit: Int64 = 100
  /// The longest pending period: a year's return window is already generous.
  static let maxPendingSeconds: Int64 = 366 * 86_400

  /// The rules before an operator sets any: a point per currency unit, gold and diamond earn
  /// more, and reviews, survey answers and referrals are rewarded.
  static var defaults: Crm_Loyalty_V1_EarningRules {
    .with {
      $0.pointsPerCurrencyUnit = 1
      $0.tierMultiplierPercent = ["silver": 100, "gold": 125, "diamond": 150]
      $0.actionPoints = ["review": 50, "survey_answer": 20, "referral": 200]
      $0.comebackCouponDiscountPercent = Int32(defaultComebackDiscountPercent)
      $0.comebackCouponValidity = Google_Protobuf_Duration(
        seconds: Int64(defaultComebackValidity))
    }
  }

  /// What a come-back coupon gives a dormant customer, and for how long, when the rules name
  /// nothing (rules stored before the fields existed, or set to 0).
  static let defaultComebackDiscountPercent = 15
  static let defaultComebackValidity: TimeInterval = 30 * 86_400

  /// The come-back coupon's discount under `rules`.
  static func comebackDiscountPercent(_ rules: Crm_Loyalty_V1_EarningRules) -> Int {
    rules.comebackCouponDiscountPercent == 0
      ? defaultComebackDiscountPercent : Int(rules.comebackCouponDiscountPercent)
  }

  /// How long a come-back coupon stays valid under `rules`.
  static func comebackValidity(_ rules: Crm_Loyalty_V1_EarningRules) -> TimeInterval {
    let validity = rules.comebackCouponValidity
    guard validity.seconds > 0 || validity.nanos > 0 else { return defaultComebackValidity }
    return TimeInterval(validity.seconds) + TimeInterval(validity.nanos) / 1e9
  }

  /// The rules in force.
  static func load(_ db: Database) throws -> Crm_Loyalty_V1_EarningRules {
    guard let bytes = try Data.fetchOne(db, sql: "SELECT rules FROM earning_rules WHERE id = 1")
    else { return defaults }
    return try Crm_Loyalty_V1_EarningRules(serializedBytes: bytes)
  }

  /// Replaces the rules in force.
  static func save(_ db: Database, _ rules: Crm_Loyalty_V1_EarningRules, now: Date) throws {
    var options = BinaryEncodingOptions()
    options.useDeterministicOrdering = true
    let bytes: Data = try rules.serializedBytes(options: options)
    try db.execute(
      sql: """
        INSERT INTO earning_rules (id, rules, updated_at) VALUES (1, ?, ?)
        ON CONFLICT(id) DO UPDATE SET rules = excluded.rules, updated_at = excluded.updated_at
        """,
      arguments: [bytes, now])
  }

  /// Checks every value against its range, naming the field of `SetEarningRulesRequest`.
  static func validate(_ rules: Crm_Loyalty_V1_EarningRules) throws(ServiceError) {
    if !(0...1000).contains(rules.pointsPerCurrencyUnit) {
      throw .invalidArgument(
        field: "rules.points_per_currency_unit", reason: "must be between 0 and 1000")
    }
    for (tier, percent) in rules.tierMultiplierPercent {
      try validateName(tier, field: "rules.tier_multiplier_percent")
      if !(1...1000).contains(percent) {
        throw .invalidArgument(
          field: "rules.tier_multiplier_percent", reason: "\(tier): must be between 1 and 1000")
      }
    }
    for (category, percent) in rules.categoryBonusPercent {
      try validateName(category, field: "rules.category_bonus_percent")
      if !(0...1000).contains(percent) {
        throw .invalidArgument(
          field: "rules.category_bonus_percent", reason: "\(category): must be between 0 and 1000")
      }
    }
    for (action, points) in rules.actionPoints {
      try validateName(action, field: "rules.action_points")
      if !(1...1_000_000).contains(points) {
        throw .invalidArgument(
          field: "rules.action_points", reason: "\(action): must be between 1 and 1000000")
      }
    }
    let pending = rules.pendingPeriod
    if pending.seconds < 0 || pending.nanos < 0 || pending.seconds > maxPendingSeconds {
      throw .invalidArgument(field: "rules.pending_period", reason: "must be 0 to 366 days")
    }
    if !(0...100).contains(rules.comebackCouponDiscountPercent) {
      throw .invalidArgument(
        field: "rules.comeback_coupon_discount_percent",
        reason: "must be 0 (the default 15) to 100")
    }
    let comeback = rules.comebackCouponValidity
    if comeback.seconds < 0 || comeback.nanos < 0 || comeback.seconds > 366 * 86_400 {
      throw .invalidArgument(
        field: "rules.comeback_coupon_validity",
        reason: "must be 0 (the default 30 days) to 366 days")
    }
  }

  private static func validateName(_ name: String, field: String) throws(ServiceError) {
    guard (1...64).contains(name.count) else {
      throw .invalidArgument(field: field, reason: "names must be 1 to 64 characters")
    }
  }

  /// The points a purchase earns: each item's amount with its category's bonus (the order's
  /// amount when it lists no items), times the points per unit, times the tier's multiplier,
  /// rounded down once at the end so that no item loses a fraction.
  static func purchasePoints(
    _ rules: Crm_Loyalty_V1_EarningRules, amount: Crm_Common_V1_Money,
    items: [Crm_Events_V1_PurchasedItem], tier: String
  ) -> Int64 {
    // Amount in minor units × percent (100 = no bonus).
    var weighted: Int64 = 0
    let itemized = items.reduce(Int64(0)) { $0 + max(0, $1.amountMinor) }
    if itemized > 0 {
      for item in items where item.amountMinor > 0 {
        let bonus = Int64(rules.categoryBonusPercent[item.category] ?? 0)
        weighted = weighted.addingReportingOverflow(item.amountMinor * (100 + bonus))
          .partialValue
      }
    } else {
      weighted = max(0, amount.amountMinor) * 100
    }
    let tierPercent = Int64(rules.tierMultiplierPercent[tier] ?? 100)
    let product = weighted.multipliedFullWidth(by: rules.pointsPerCurrencyUnit * tierPercent)
    let divisor = minorUnitsPerUnit * 100 * 100
    guard product.high < divisor / 2 else { return LoyaltyService.maxPointsPerEarn }
    let points = divisor.dividingFullWidth(product).quotient
    return min(max(0, points), LoyaltyService.maxPointsPerEarn)
  }

  /// The pending period as a time interval (zero: available at once).
  static func pendingInterval(_ rules: Crm_Loyalty_V1_EarningRules) -> TimeInterval {
    TimeInterval(rules.pendingPeriod.seconds) + TimeInterval(rules.pendingPeriod.nanos) / 1e9
  }
}
