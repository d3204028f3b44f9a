import Contracts
import Foundation
import GRDB
import GRPCCore
import ServiceKit

extension SegmentationService {
  /// `CreateTagRule`: adds an automatic tag rule and applies it to every profile.
  public func createTagRule(
    request: Crm_Segmentation_V1_CreateTagRuleRequest,
    context: ServerContext
  ) async throws -> Crm_Segmentation_V1_CreateTagRuleResponse {
    let rule = request.rule
    try FieldValidation.requireText(rule.tag, field: "rule.tag", maxLength: 64)
    try FieldValidation.limitText(rule.description_p, field: "rule.description", maxLength: 500)
    if !rule.hasCondition {
      throw ServiceError.invalidArgument(field: "rule.condition", reason: "is required")
    }
    try RuleCondition.validate(rule.condition, field: "rule.condition")
    let now = clock.now()
    let record = TagRuleRecord(
      id: UUID().uuidString.lowercased(), tag: rule.tag.trimmingCharacters(in: .whitespaces),
      condition: try rule.condition.serializedBytes(), description: rule.description_p,
      createdAt: now)
    return try await store.database.write { db in
      try record.insert(db)
      let job = try RetierJobs.start(db, now: now)
      return try .with {
        $0.rule = try record.message()
        $0.retierJobID = job
      }
    }
  }

  /// `ListTagRules`: the automatic tag rules.
  public func listTagRules(
    request: Crm_Segmentation_V1_ListTagRulesRequest,
    context: ServerContext
  ) async throws -> Crm_Segmentation_V1_ListTagRulesResponse {
    try await store.database.read { db in
      try .with { $0.rules = try AutoTags.load(db).rules }
    }
  }

  /// `DeleteTagRule`: removes a rule; its tag leaves the profiles in the background.
  public func deleteTagRule(
    request: Crm_Segmentation_V1_DeleteTagRuleRequest,
    context: ServerContext
  ) async throws -> Crm_Segmentation_V1_DeleteTagRuleResponse {
    try FieldValidation.requireID(request.ruleID, field: "rule_id")
    let now = clock.now()
    return try await store.database.write { db in
      guard try TagRuleRecord.deleteOne(db, key: request.ruleID) else {
        throw ServiceError.notFound("tag rule \(FieldValidation.quoted(request.ruleID))")
      }
      let job = try RetierJobs.start(db, now: now)
      return .with { $0.retierJobID = job }
    }
  }
}
