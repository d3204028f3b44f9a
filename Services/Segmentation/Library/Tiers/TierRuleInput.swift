import Contracts
import Foundation
import ServiceKit

/// A tier rule as the operator sends it, validated part by part.
enum TierRuleInput {
  static let maxPriority: Int32 = 1_000_000

  /// A tier name: 1 to 64 of a-z, 0-9 and _.
  static func validateTier(_ tier: String, field: String) throws(ServiceError) {
    try FieldValidation.requireText(tier, field: field, maxLength: 64)
    guard tier.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" })
    else {
      throw .invalidArgument(field: field, reason: "must be of a-z, 0-9 and _")
    }
  }

  /// Rejects the first bad part of `rule`, named under `field` (e.g. `rule.condition.all...`).
  static func validate(_ rule: Crm_Segmentation_V1_TierRule, field: String) throws(ServiceError) {
    try validateTier(rule.tier, field: "\(field).tier")
    try FieldValidation.require(rule.priority, in: 0...maxPriority, field: "\(field).priority")
    try FieldValidation.limitText(rule.description_p, field: "\(field).description", maxLength: 500)
    if !rule.hasCondition {
      throw .invalidArgument(field: "\(field).condition", reason: "is required")
    }
    try RuleCondition.validate(rule.condition, field: "\(field).condition")
  }
}
