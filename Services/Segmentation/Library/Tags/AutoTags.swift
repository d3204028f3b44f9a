import Contracts
import Foundation
import GRDB
import ServiceKit

/// The automatic tag rules, and keeping a profile's automatic tags equal to what they give.
struct AutoTags: Sendable {
  let rules: [Crm_Segmentation_V1_TagRule]

  static func load(_ db: Database) throws -> AutoTags {
    let records = try TagRuleRecord.fetchAll(
      db.cachedStatement(sql: "SELECT * FROM tag_rule ORDER BY tag, id"))
    return try AutoTags(rules: records.map { try $0.message() })
  }

  /// Brings the profile's automatic tags in line with the rules; true when any changed. A
  /// manual tag of the same name is left alone (it stays when the rule stops holding).
  ///
  /// `current` is the profile's automatic tags when the caller already read them (a batch);
  /// nil reads them here.
  func sync(
    _ db: Database, customerID: String, facts: ProfileFacts, current known: [String]? = nil
  ) throws -> Bool {
    let wanted = wanted(facts)
    let current = try known ?? String.fetchAll(
      db.cachedStatement(sql: "SELECT tag FROM customer_tag WHERE customer_id = ? AND rule_id != ''"),
      arguments: [customerID])
    var changed = false
    for tag in current where wanted[tag] == nil {
      try db.execute(
        sql: "DELETE FROM customer_tag WHERE customer_id = ? AND tag = ? AND rule_id != ''",
        arguments: [customerID, tag])
      changed = true
    }
    for (tag, ruleID) in wanted where !current.contains(tag) {
      try db.execute(
        sql: "INSERT OR IGNORE INTO customer_tag (customer_id, tag, rule_id) VALUES (?, ?, ?)",
        arguments: [customerID, tag, ruleID])
      changed = changed || db.changesCount > 0
    }
    return changed
  }
}

extension AutoTags {
  /// The automatic tags the rules give a profile with `facts`: tag to the first rule (by tag,
  /// then id) that gives it.
  func wanted(_ facts: ProfileFacts) -> [String: String] {
    var wanted: [String: String] = [:]
    for rule in rules
    where wanted[rule.tag] == nil && RuleCondition.matches(rule.condition, facts: facts) {
      wanted[rule.tag] = rule.ruleID
    }
    return wanted
  }
}

extension TagRuleRecord {
  func message() throws -> Crm_Segmentation_V1_TagRule {
    let condition: Crm_Segmentation_V1_Condition
    do {
      condition = try Crm_Segmentation_V1_Condition(serializedBytes: self.condition)
    } catch {
      throw ServiceError.internalError("tag rule \(id) has an unreadable condition")
    }
    return .with {
      $0.ruleID = id
      $0.tag = tag
      $0.condition = condition
      $0.description_p = description
      $0.createTime = .init(storeDate: createdAt)
    }
  }
}
