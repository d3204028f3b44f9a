import Contracts
import Foundation
import GRDB
import GRPCCore
import ServiceKit

extension SegmentationService {
  /// `CreateTierRule`: adds a rule and starts the re-tier of every profile.
  public func createTierRule(
    request: Crm_Segmentation_V1_CreateTierRuleRequest,
    context: ServerContext
  ) async throws -> Crm_Segmentation_V1_CreateTierRuleResponse {
    try TierRuleInput.validate(request.rule, field: "rule")
    let now = clock.now()
    let record = TierRuleRecord(
      id: UUID().uuidString.lowercased(), tier: request.rule.tier,
      priority: Int(request.rule.priority), condition: try request.rule.condition.serializedBytes(),
      description: request.rule.description_p, createdAt: now, updatedAt: now)
    return try await store.database.write { db in
      try record.insert(db)
      let job = try RetierJobs.start(db, now: now)
      return try .with {
        $0.rule = try record.message()
        $0.retierJobID = job
      }
    }
  }

  /// `ListTierRules`: the rules in evaluation order.
  public func listTierRules(
    request: Crm_Segmentation_V1_ListTierRulesRequest,
    context: ServerContext
  ) async throws -> Crm_Segmentation_V1_ListTierRulesResponse {
    try await store.database.read { db in
      try .with { $0.rules = try TierRuleSet.load(db).rules }
    }
  }

  /// `UpdateTierRule`: replaces a rule and starts the re-tier of every profile.
  public func updateTierRule(
    request: Crm_Segmentation_V1_UpdateTierRuleRequest,
    context: ServerContext
  ) async throws -> Crm_Segmentation_V1_UpdateTierRuleResponse {
    try FieldValidation.requireID(request.rule.ruleID, field: "rule.rule_id")
    try TierRuleInput.validate(request.rule, field: "rule")
    let now = clock.now()
    let condition = try request.rule.condition.serializedBytes() as Data
    return try await store.database.write { db in
      guard var record = try TierRuleRecord.fetchOne(db, key: request.rule.ruleID) else {
        throw ServiceError.notFound("tier rule \(FieldValidation.quoted(request.rule.ruleID))")
      }
      record.tier = request.rule.tier
      record.priority = Int(request.rule.priority)
      record.condition = condition
      record.description = request.rule.description_p
      record.updatedAt = now
      try record.update(db)
      let job = try RetierJobs.start(db, now: now)
      return try .with {
        $0.rule = try record.message()
        $0.retierJobID = job
      }
    }
  }

  /// `DeleteTierRule`: removes a rule and starts the re-tier of every profile.
  public func deleteTierRule(
    request: Crm_Segmentation_V1_DeleteTierRuleRequest,
    context: ServerContext
  ) async throws -> Crm_Segmentation_V1_DeleteTierRuleResponse {
    try FieldValidation.requireID(request.ruleID, field: "rule_id")
    let now = clock.now()
    return try await store.database.write { db in
      guard try TierRuleRecord.deleteOne(db, key: request.ruleID) else {
        throw ServiceError.notFound("tier rule \(FieldValidation.quoted(request.ruleID))")
      }
      let job = try RetierJobs.start(db, now: now)
      return .with { $0.retierJobID = job }
    }
  }

  /// `DryRunTierRules`: what a candidate rule set would do, without writing.
  public func dryRunTierRules(
    request: Crm_Segmentation_V1_DryRunTierRulesRequest,
    context: ServerContext
  ) async throws -> Crm_Segmentation_V1_DryRunTierRulesResponse {
    if request.rules.count > 200 {
      throw ServiceError.invalidArgument(field: "rules", reason: "at most 200 rules")
    }
    for (index, rule) in request.rules.enumerated() {
      try TierRuleInput.validate(rule, field: "rules[\(index)]")
    }
    try FieldValidation.require(request.sampleSize, in: 0...200, field: "sample_size")
    let sampleSize = request.sampleSize == 0 ? 20 : Int(request.sampleSize)
    let candidate = TierRuleSet(rules: request.rules)
    let now = clock.now()
    var counts: [String: Int64] = [:]
    var response = Crm_Segmentation_V1_DryRunTierRulesResponse()
    var cursor = ""
    // Chunks of short reads, each with the chunk's facts read at once: a million profiles are
    // never held in one snapshot (which would keep the WAL from being checkpointed) or in memory.
    while true {
      let after = cursor
      let decided = try await store.database.read { db in
        let batch = try CustomerRecord.filter(CustomerRecord.Columns.id > after)
          .filter(CustomerRecord.Columns.mergedInto == nil)
          .order(CustomerRecord.Columns.id).limit(Self.dryRunBatchSize).fetchAll(db)
        guard let first = batch.first, let last = batch.last else {
          return [(CustomerRecord, TierRuleSet.Decision)]()
        }
        let known = try ProfileBatchFacts.read(db, first: first.id, last: last.id, now: now)
        return batch.map { record in
          let inputs = known[record.id] ?? ProfileBatchFacts.Inputs()
          let facts = ProfileFacts(
            record: record, tags: inputs.tags, windows: inputs.windows, now: now)
          return (record, candidate.decide(facts))
        }
      }
      for (record, decision) in decided {
        counts[decision.tier, default: 0] += 1
        guard decision.tier != record.tier else { continue }
        response.changedCustomers += 1
        if response.sample.count < sampleSize {
          response.sample.append(.with {
            $0.customerID = record.id
            $0.currentTier = record.tier
            $0.candidateTier = decision.tier
            $0.reason = decision.reason
          })
        }
      }
      guard decided.count == Self.dryRunBatchSize, let last = decided.last else { break }
      cursor = last.0.id
    }
    response.tierCounts = counts.keys.sorted().map { tier in
      .with {
        $0.tier = tier
        $0.customers = counts[tier] ?? 0
      }
    }
    return response
  }

  /// Profiles decided per read of a dry run.
  static let dryRunBatchSize = 2_000
}
