import Contracts
import Foundation
import ServiceKit

/// The expression language of tier and tag rules: validating a condition tree when it is
/// saved, and evaluating it over a profile's facts.
public enum RuleCondition {
  static let maxDepth = 8
  static let maxListSize = 50

  /// Rejects the first bad part of `condition`, naming it by its path under `field`.
  static func validate(_ condition: Crm_Segmentation_V1_Condition, field: String, depth: Int = 1)
    throws(ServiceError)
  {
    if depth > maxDepth {
      throw .invalidArgument(field: field, reason: "nests deeper than \(maxDepth) levels")
    }
    switch condition.kind {
    case nil:
      throw .invalidArgument(field: field, reason: "must be one of all, any, not, comparison")
    case .all(let list):
      try validate(list, field: "\(field).all", depth: depth)
    case .any(let list):
      try validate(list, field: "\(field).any", depth: depth)
    case .not(let inner):
      try validate(inner, field: "\(field).not", depth: depth + 1)
    case .comparison(let comparison):
      try validate(comparison, field: "\(field).comparison")
    }
  }

  private static func validate(
    _ list: Crm_Segmentation_V1_ConditionList, field: String, depth: Int
  ) throws(ServiceError) {
    if list.conditions.isEmpty || list.conditions.count > maxListSize {
      throw .invalidArgument(
        field: "\(field).conditions", reason: "must hold 1 to \(maxListSize) conditions")
    }
    for (index, inner) in list.conditions.enumerated() {
      try validate(inner, field: "\(field).conditions[\(index)]", depth: depth + 1)
    }
  }

  private static func validate(_ comparison: Crm_Segmentation_V1_Comparison, field: String)
    throws(ServiceError)
  {
    let attribute = comparison.attribute
    let op = comparison.operator
    if op == .unspecified || Crm_Segmentation_V1_ComparisonOperator.allCases.firstIndex(of: op) == nil {
      throw .invalidArgument(field: "\(field).operator", reason: "must be a known operator")
    }
    if ProfileFacts.numberAttributes.contains(attribute) {
      guard case .numberValue(let value) = comparison.value, value.isFinite else {
        throw .invalidArgument(
          field: "\(field).number_value", reason: "is required (a finite number) for \(attribute)")
      }
      if op == .contains {
        throw .invalidArgument(field: "\(field).operator", reason: "CONTAINS applies to tags only")
      }
    } else if ProfileFacts.textAttributes.contains(attribute) {
      guard case .textValue = comparison.value else {
        throw .invalidArgument(field: "\(field).text_value", reason: "is required for \(attribute)")
      }
      if op != .equal && op != .notEqual {
        throw .invalidArgument(
          field: "\(field).operator", reason: "\(attribute) takes EQUAL or NOT_EQUAL")
      }
    } else if attribute == ProfileFacts.tagAttribute {
      guard case .textValue(let tag) = comparison.value, !tag.isEmpty else {
        throw .invalidArgument(field: "\(field).text_value", reason: "is required (a tag) for tags")
      }
      if op != .contains {
        throw .invalidArgument(field: "\(field).operator", reason: "tags takes CONTAINS")
      }
    } else {
      throw .invalidArgument(
        field: "\(field).attribute",
        reason: "\(FieldValidation.quoted(attribute)) is not a profile attribute (known: \((ProfileFacts.numberAttributes.union(ProfileFacts.textAttributes).union([ProfileFacts.tagAttribute])).sorted().joined(separator: ", ")))"
      )
    }
  }

  /// Whether `condition` holds for `facts`; `evidence` collects the comparisons that decided.
  static func holds(
    _ condition: Crm_Segmentation_V1_Condition, facts: ProfileFacts, evidence: inout [String]
  ) -> Bool {
    switch condition.kind {
    case nil:
      return false
    case .all(let list):
      var collected: [String] = []
      for inner in list.conditions where !holds(inner, facts: facts, evidence: &collected) {
        return false
      }
      evidence += collected
      return true
    case .any(let list):
      for inner in list.conditions {
        var collected: [String] = []
        if holds(inner, facts: facts, evidence: &collected) {
          evidence += collected
          return true
        }
      }
      return false
    case .not(let inner):
      var collected: [String] = []
      let result = !holds(inner, facts: facts, evidence: &collected)
      if result { evidence.append("not(\(collected.isEmpty ? "..." : collected.joined(separator: ", ")))") }
      return result
    case .comparison(let comparison):
      let (result, text) = compare(comparison, facts: facts)
      evidence.append(text)
      return result
    }
  }

  /// Whether `condition` holds for `facts`: the answer of `holds` without its evidence, which
  /// only the rule that matches needs (formatting it for every rule tried is most of the cost
  /// of re-tiering a profile).
  public static func matches(_ condition: Crm_Segmentation_V1_Condition, facts: ProfileFacts)
    -> Bool
  {
    switch condition.kind {
    case nil: false
    case .all(let list): list.conditions.allSatisfy { matches($0, facts: facts) }
    case .any(let list): list.conditions.contains { matches($0, facts: facts) }
    case .not(let inner): !matches(inner, facts: facts)
    case .comparison(let comparison): result(comparison, facts: facts)
    }
  }

  private static func result(_ comparison: Crm_Segmentation_V1_Comparison, facts: ProfileFacts)
    -> Bool
  {
    let attribute = comparison.attribute
    switch comparison.value {
    case .numberValue(let expected):
      guard let actual = facts.numbers[attribute] else { return false }
      switch comparison.operator {
      case .equal: return actual == expected
      case .notEqual: return actual != expected
      case .less: return actual < expected
      case .lessOrEqual: return actual <= expected
      case .greater: return actual > expected
      case .greaterOrEqual: return actual >= expected
      default: return false
      }
    case .textValue(let expected):
      if attribute == ProfileFacts.tagAttribute { return facts.tags.contains(expected) }
      let actual = facts.texts[attribute] ?? ""
      return comparison.operator == .equal ? actual == expected : actual != expected
    case nil:
      return false
    }
  }

  private static func compare(_ comparison: Crm_Segmentation_V1_Comparison, facts: ProfileFacts)
    -> (Bool, String)
  {
    let attribute = comparison.attribute
    let result = result(comparison, facts: facts)
    switch comparison.value {
    case .numberValue(let expected):
      guard let actual = facts.numbers[attribute] else {
        return (false, "\(attribute)=none")
      }
      return (result, "\(attribute)=\(format(actual)) \(symbol(comparison.operator)) \(format(expected))")
    case .textValue(let expected):
      if attribute == ProfileFacts.tagAttribute {
        return (result, "tags \(result ? "contains" : "lacks") \(expected)")
      }
      let actual = facts.texts[attribute] ?? ""
      return (result, "\(attribute)=\(actual) \(symbol(comparison.operator)) \(expected)")
    case nil:
      return (false, "\(attribute)=?")
    }
  }

  private static func format(_ value: Double) -> String {
    value.rounded() == value && abs(value) < 1e15 ? String(Int64(value)) : String(value)
  }

  private static func symbol(_ op: Crm_Segmentation_V1_ComparisonOperator) -> String {
    switch op {
    case .equal: "=="
    case .notEqual: "!="
    case .less: "<"
    case .lessOrEqual: "<="
    case .greater: ">"
    case .greaterOrEqual: ">="
    case .contains: "contains"
    default: "?"
    }
  }
}
