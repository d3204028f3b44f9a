import Contracts
import Foundation
import GRDB
import ServiceKit

/// The tier rules in the order they are tried: the first whose condition holds gives the tier.
public struct TierRuleSet: Sendable {
  /// What the rules decided for one profile.
  public struct Decision: Equatable, Sendable {
    /// The tier given; empty when no rule matched.
    public var tier: String
    /// The rule that gave it.
    public var ruleID: String
    /// The rule and the attribute values it compared.
    public var reason: String
  }

  let rules: [Crm_Segmentation_V1_TierRule]

  /// `rules` put in evaluation order: priority, then id.
  public init(rules: [Crm_Segmentation_V1_TierRule]) {
    self.rules = rules.sorted { ($0.priority, $0.ruleID) < ($1.priority, $1.ruleID) }
  }

  /// The stored rules.
  static func load(_ db: Database) throws -> TierRuleSet {
    // Every write that refreshes a profile loads the rules: a cached statement.
    let records = try TierRuleRecord.fetchAll(
      db.cachedStatement(sql: "SELECT * FROM tier_rule ORDER BY priority, id"))
    return try TierRuleSet(rules: records.map { try $0.message() })
  }

  /// The tier of the first rule whose condition holds for `facts`, with its evidence.
  public func decide(_ facts: ProfileFacts) -> Decision {
    // The evidence is collected for the matching rule only.
    for rule in rules where RuleCondition.matches(rule.condition, facts: facts) {
      var evidence: [String] = []
      if RuleCondition.holds(rule.condition, facts: facts, evidence: &evidence) {
        return Decision(
          tier: rule.tier, ruleID: rule.ruleID,
          reason: "rule \(rule.ruleID) (\(rule.tier)): \(evidence.joined(separator: "; "))")
      }
    }
    return Decision(tier: "", ruleID: "", reason: "no tier rule matched")
  }
}

extension TierRuleRecord {
  func message() throws -> Crm_Segmentation_V1_TierRule {
    let condition: Crm_Segmentation_V1_Condition
    do {
      condition = try Crm_Segmentation_V1_Condition(serializedBytes: self.condition)
    } catch {
      throw ServiceError.internalError("tier rule \(id) has an unreadable condition")
    }
    return .with {
      $0.ruleID = id
      $0.tier = tier
      $0.priority = Int32(clamping: priority)
      $0.condition = condition
      $0.description_p = description
      $0.createTime = .init(storeDate: createdAt)
      $0.updateTime = .init(storeDate: updatedAt)
    }
  }
}
