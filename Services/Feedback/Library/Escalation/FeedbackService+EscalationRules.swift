import Contracts
import Foundation
import GRDB
import GRPCCore
import ServiceKit

extension FeedbackService {
  /// Adds an escalation rule; clocks started from now on carry its moment.
  public func createEscalationRule(
    request: Crm_Feedback_V1_CreateEscalationRuleRequest,
    context: ServerContext
  ) async throws -> Crm_Feedback_V1_CreateEscalationRuleResponse {
    let key = try IdempotencyLedger.validatedKey(
      request.idempotencyKey.key, field: "idempotency_key.key")
    let rule = request.rule
    try SLAPolicyRecord.validateID(rule.ruleID, field: "rule.rule_id")
    try FieldValidation.optionalKnown(rule.clock, field: "rule.clock")
    try FieldValidation.requireKnown(rule.trigger, field: "rule.trigger")
    switch rule.trigger {
    case .approaching:
      try FieldValidation.require(rule.elapsedPercent, in: 1...99, field: "rule.elapsed_percent")
    default:
      if rule.elapsedPercent != 0 {
        throw ServiceError.invalidArgument(
          field: "rule.elapsed_percent", reason: "applies to APPROACHING rules only")
      }
    }
    try FieldValidation.optionalKnown(rule.priority, field: "rule.priority")
    try FieldValidation.optionalKnown(rule.kind, field: "rule.kind")
    if !rule.reassignOwnerID.isEmpty {
      try FieldValidation.requireID(rule.reassignOwnerID, field: "rule.reassign_owner_id")
    }
    if !rule.reassignTeamID.isEmpty {
      if rule.reassignOwnerID.isEmpty {
        throw ServiceError.invalidArgument(
          field: "rule.reassign_team_id", reason: "needs rule.reassign_owner_id")
      }
      try FieldValidation.requireID(rule.reassignTeamID, field: "rule.reassign_team_id")
    }
    guard rule.raisePriority || !rule.reassignOwnerID.isEmpty || rule.notifyAccountManager else {
      throw ServiceError.invalidArgument(
        field: "rule",
        reason: "needs an action: raise_priority, reassign_owner_id or notify_account_manager")
    }

    let now = clock.now()
    let record = EscalationRuleRecord(
      id: rule.ruleID, clockKind: rule.clock.rawValue, trigger: rule.trigger.rawValue,
      elapsedPercent: Int(rule.elapsedPercent), priority: rule.priority.rawValue,
      kind: rule.kind.rawValue, raisePriority: rule.raisePriority,
      reassignOwnerID: rule.reassignOwnerID, reassignTeamID: rule.reassignTeamID,
      notifyAccountManager: rule.notifyAccountManager, createdAt: now)
    let result = try await store.database.write { db in
      try IdempotencyLedger.run(
        db, scope: "CreateEscalationRule", key: key, request: request, now: now
      ) { db in
        if try EscalationRuleRecord.exists(db, key: record.id) {
          throw ServiceError.alreadyExists("escalation rule \(record.id) already exists")
        }
        try record.insert(db)
        return Crm_Feedback_V1_CreateEscalationRuleResponse.with { $0.rule = record.message }
      }
    }
    return try result.get()
  }

  /// The escalation rules by id, paged.
  public func listEscalationRules(
    request: Crm_Feedback_V1_ListEscalationRulesRequest,
    context: ServerContext
  ) async throws -> Crm_Feedback_V1_ListEscalationRulesResponse {
    let size = try paging.size(of: request.page)
    let listing = "escalation-rules"
    let after = try PageCursor.decode(request.page, listing: listing)
    let rules = try await store.database.read { db in
      try EscalationRuleRecord
        .filter(EscalationRuleRecord.Columns.id > (after ?? ""))
        .order(EscalationRuleRecord.Columns.id)
        .limit(size + 1)
        .fetchAll(db)
    }
    let page = rules.prefix(size)
    return .with {
      $0.rules = page.map(\.message)
      $0.page.nextPageToken = PageCursor.token(
        listing: listing, after: page.last?.id, hasMore: rules.count > size)
    }
  }
}

extension EscalationRuleRecord {
  var message: Crm_Feedback_V1_EscalationRule {
    .with {
      $0.ruleID = id
      $0.clock = Crm_Feedback_V1_SlaClockKind(rawValue: clockKind) ?? .unspecified
      $0.trigger = Crm_Feedback_V1_EscalationTrigger(rawValue: trigger) ?? .unspecified
      $0.elapsedPercent = Int32(elapsedPercent)
      $0.priority = Crm_Feedback_V1_Priority(rawValue: priority) ?? .unspecified
      $0.kind = Crm_Feedback_V1_TicketKind(rawValue: kind) ?? .unspecified
      $0.raisePriority = raisePriority
      $0.reassignOwnerID = reassignOwnerID
      $0.reassignTeamID = reassignTeamID
      $0.notifyAccountManager = notifyAccountManager
    }
  }
}
