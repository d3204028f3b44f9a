import Contracts
import Foundation
import GRDB
import ServiceKit
import SwiftProtobuf

/// A validated ListCustomers filter, and the SQL of one page of it.
struct CustomerListQuery {
  static let defaultPageSize = 50
  static let maxPageSize = 500

  var tag: String?
  var accountManager: String?
  var sourceChannel: String?
  var type: Crm_Segmentation_V1_CustomerType?
  var spendCurrency: String?
  var minSpend: Int64?
  var maxSpend: Int64?
  var tier: String?
  var lifecycleStage: String?

  init(validating filter: Crm_Segmentation_V1_CustomerFilter) throws(ServiceError) {
    if !filter.tag.isEmpty {
      try FieldValidation.requireText(filter.tag, field: "filter.tag", maxLength: 64)
      tag = filter.tag.trimmingCharacters(in: .whitespaces)
    }
    if !filter.accountManager.isEmpty {
      accountManager = try CustomerFieldRules.accountManager(
        filter.accountManager, field: "filter.account_manager")
    }
    if !filter.sourceChannel.isEmpty {
      sourceChannel = try CustomerFieldRules.sourceChannel(
        filter.sourceChannel, field: "filter.source_channel")
    }
    if !filter.tier.isEmpty {
      try TierRuleInput.validateTier(filter.tier, field: "filter.tier")
      tier = filter.tier
    }
    if !filter.lifecycleStage.isEmpty {
      guard LifecycleStage(rawValue: filter.lifecycleStage) != nil else {
        throw .invalidArgument(
          field: "filter.lifecycle_stage", reason: "must be new, active, dormant or churned")
      }
      lifecycleStage = filter.lifecycleStage
    }
    try FieldValidation.optionalKnown(filter.type, field: "filter.type")
    if filter.type != .unspecified { type = filter.type }
    if filter.hasMinTotalSpend {
      spendCurrency = try MoneyRules.currency(
        filter.minTotalSpend.currency, field: "filter.min_total_spend.currency")
      minSpend = try MoneyRules.amount(
        filter.minTotalSpend.amountMinor, field: "filter.min_total_spend.amount_minor")
    }
    if filter.hasMaxTotalSpend {
      let currency = try MoneyRules.currency(
        filter.maxTotalSpend.currency, field: "filter.max_total_spend.currency")
      if let spendCurrency, spendCurrency != currency {
        throw .invalidArgument(
          field: "filter.max_total_spend.currency",
          reason: "must be min_total_spend's currency \(spendCurrency)")
      }
      spendCurrency = currency
      maxSpend = try MoneyRules.amount(
        filter.maxTotalSpend.amountMinor, field: "filter.max_total_spend.amount_minor")
      if let minSpend, let maxSpend, minSpend > maxSpend {
        throw .invalidArgument(
          field: "filter.max_total_spend.amount_minor", reason: "must not be below min_total_spend")
      }
    }
  }

  /// The page size a request asks for, defaulted and clamped.
  static func pageSize(_ requested: Int32) throws(ServiceError) -> Int {
    if requested < 0 {
      throw .invalidArgument(field: "page.page_size", reason: "must not be negative")
    }
    return requested == 0 ? defaultPageSize : min(Int(requested), maxPageSize)
  }

  /// Up to `limit` live profiles matching the filter with an id after `afterID`, by id.
  ///
  /// Each filter's index ends with the id, so a page is one index range read in id order with
  /// no sort; only the spend range sorts (a range on spend cannot also be in id order).
  func sql(afterID: String?, limit: Int) -> (sql: String, arguments: StatementArguments) {
    var conditions = ["customer.merged_into IS NULL", "customer.erased_at IS NULL"]
    var arguments: StatementArguments = []
    var from = "customer"
    var idColumn = "customer.id"
    if let tag {
      // CROSS JOIN keeps customer_tag outermost: the page walks (tag, customer_id) in order.
      from = "customer_tag CROSS JOIN customer ON customer.id = customer_tag.customer_id"
      idColumn = "customer_tag.customer_id"
      conditions.append("customer_tag.tag = ?")
      arguments += [tag]
    }
    if let accountManager {
      conditions.append("customer.account_manager = ?")
      arguments += [accountManager]
    }
    if let sourceChannel {
      conditions.append("customer.source_channel = ?")
      arguments += [sourceChannel]
    }
    if let tier {
      conditions.append("customer.tier = ?")
      arguments += [tier]
    }
    if let lifecycleStage {
      conditions.append("customer.lifecycle_stage = ?")
      arguments += [lifecycleStage]
    }
    if let type {
      conditions.append("customer.type = ?")
      arguments += [type.rawValue]
    }
    if let spendCurrency {
      conditions.append("customer.currency = ?")
      arguments += [spendCurrency]
    }
    if let minSpend {
      conditions.append("customer.total_spend_minor >= ?")
      arguments += [minSpend]
    }
    if let maxSpend {
      conditions.append("customer.total_spend_minor <= ?")
      arguments += [maxSpend]
    }
    if let afterID {
      conditions.append("\(idColumn) > ?")
      arguments += [afterID]
    }
    let sql = """
      SELECT customer.* FROM \(from) WHERE \(conditions.joined(separator: " AND ")) \
      ORDER BY \(idColumn) LIMIT \(limit)
      """
    return (sql, arguments)
  }
}
