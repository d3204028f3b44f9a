import Contracts
import Foundation
import GRDB
import GRPCCore
import ServiceKit
import SwiftProtobuf

extension InteractionService {
  public func listCarePlans(
    request: Crm_Interaction_V1_ListCarePlansRequest,
    context: ServerContext
  ) async throws -> Crm_Interaction_V1_ListCarePlansResponse {
    let plans = try await store.database.read { db in
      try CarePlanRecord.order(Column("moment_kind"), Column("tier")).fetchAll(db)
    }
    return .with { $0.plans = plans.map(\.message) }
  }

  public func getCarePlan(
    request: Crm_Interaction_V1_GetCarePlanRequest,
    context: ServerContext
  ) async throws -> Crm_Interaction_V1_GetCarePlanResponse {
    try MomentPlanner.validateKind(request.momentKind, field: "moment_kind")
    guard let plan = try await store.database.read({ db in
      try CarePlanRecord.fetchOne(db, key: ["moment_kind": request.momentKind, "tier": request.tier])
    }) else {
      throw ServiceError.notFound("care plan \(FieldValidation.quoted(request.momentKind))/\(request.tier.isEmpty ? "any tier" : FieldValidation.quoted(request.tier))")
    }
    return .with { $0.plan = plan.message }
  }

  public func upsertCarePlan(
    request: Crm_Interaction_V1_UpsertCarePlanRequest,
    context: ServerContext
  ) async throws -> Crm_Interaction_V1_UpsertCarePlanResponse {
    let key = try IdempotencyLedger.validatedKey(request.idempotencyKey.key, field: "idempotency_key.key")
    let plan = request.plan
    try MomentPlanner.validateKind(plan.momentKind, field: "plan.moment_kind")
    try FieldValidation.limitText(plan.tier, field: "plan.tier", maxLength: 64)
    try FieldValidation.requireText(plan.name, field: "plan.name", maxLength: 200)
    if plan.steps.count > 50 {
      throw ServiceError.invalidArgument(field: "plan.steps", reason: "must hold at most 50 steps")
    }
    var steps: [CareStepData] = []
    for (index, step) in plan.steps.enumerated() {
      let field = "plan.steps[\(index)]"
      try FieldValidation.requireText(step.type, field: "\(field).type", maxLength: 64)
      try FieldValidation.requireKnown(step.channel, field: "\(field).channel")
      let seconds = step.offset.seconds
      if seconds < 0 || seconds > 366 * 86_400 || step.offset.nanos < 0 {
        throw ServiceError.invalidArgument(field: "\(field).offset", reason: "must be from 0 to 366 days")
      }
      try FieldValidation.requireText(step.ownerRole, field: "\(field).owner_role", maxLength: 64)
      try FieldValidation.limitText(step.templateID, field: "\(field).template_id", maxLength: 128)
      steps.append(
        CareStepData(
          type: step.type, channel: step.channel.rawValue, offsetSeconds: seconds, ownerRole: step.ownerRole,
          templateID: step.templateID, transactional: step.transactional))
    }
    let now = clock.now()
    let definition = CarePlanDefinition(momentKind: plan.momentKind, tier: plan.tier, name: plan.name, steps: steps)
    let result = try await store.database.write { [steps] db in
      for (index, step) in steps.enumerated() where !step.templateID.isEmpty {
        guard try TemplateRecord.exists(db, key: step.templateID) else {
          throw ServiceError.invalidArgument(
            field: "plan.steps[\(index)].template_id", reason: "names no template (\(FieldValidation.quoted(step.templateID)))")
        }
      }
      return try IdempotencyLedger.run(db, scope: "UpsertCarePlan", key: key, request: request, now: now) { db in
        let record = try CarePlanRecord(plan: definition, updatedAt: now)
        try record.save(db)
        return Crm_Interaction_V1_UpsertCarePlanResponse.with { $0.plan = record.message }
      }
    }
    return try result.get()
  }
}

extension CarePlanRecord {
  var message: Crm_Interaction_V1_CarePlan {
    .with {
      $0.momentKind = momentKind
      $0.tier = tier
      $0.name = name
      $0.steps = ((try? decodedSteps()) ?? []).map { step in
        .with {
          $0.type = step.type
          $0.channel = Crm_Interaction_V1_Channel(rawValue: step.channel) ?? .unspecified
          $0.offset = Google_Protobuf_Duration(seconds: step.offsetSeconds, nanos: 0)
          $0.ownerRole = step.ownerRole
          $0.templateID = step.templateID
          $0.transactional = step.transactional
        }
      }
      $0.updateTime = Google_Protobuf_Timestamp(storeDate: updatedAt)
    }
  }
}
