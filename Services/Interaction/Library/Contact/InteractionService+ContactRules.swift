import Contracts
import Foundation
import GRDB
import GRPCCore
import ServiceKit

extension InteractionService {
  public func setOptOut(
    request: Crm_Interaction_V1_SetOptOutRequest,
    context: ServerContext
  ) async throws -> Crm_Interaction_V1_SetOptOutResponse {
    try FieldValidation.requireID(request.customerID, field: "customer_id")
    try FieldValidation.requireKnown(request.channel, field: "channel")
    let now = clock.now()
    let channels = try await store.database.write { db in
      if request.optedOut {
        try db.execute(
          sql: "INSERT OR IGNORE INTO opt_out (customer_id, channel, created_at) VALUES (?, ?, ?)",
          arguments: [request.customerID, request.channel.rawValue, now])
      } else {
        try db.execute(
          sql: "DELETE FROM opt_out WHERE customer_id = ? AND channel = ?",
          arguments: [request.customerID, request.channel.rawValue])
      }
      return try Int.fetchAll(
        db, sql: "SELECT channel FROM opt_out WHERE customer_id = ? ORDER BY channel", arguments: [request.customerID])
    }
    return .with { $0.optedOutChannels = channels.map { Crm_Interaction_V1_Channel(rawValue: $0) ?? .unspecified } }
  }

  public func listContactPolicies(
    request: Crm_Interaction_V1_ListContactPoliciesRequest,
    context: ServerContext
  ) async throws -> Crm_Interaction_V1_ListContactPoliciesResponse {
    let policies = try await store.database.read { db in
      try ContactPolicyRecord.order(Column("tier"), Column("channel")).fetchAll(db)
    }
    return .with { $0.policies = policies.map(\.message) }
  }

  public func upsertContactPolicy(
    request: Crm_Interaction_V1_UpsertContactPolicyRequest,
    context: ServerContext
  ) async throws -> Crm_Interaction_V1_UpsertContactPolicyResponse {
    let policy = request.policy
    try FieldValidation.limitText(policy.tier, field: "policy.tier", maxLength: 64)
    try FieldValidation.optionalKnown(policy.channel, field: "policy.channel")
    try FieldValidation.require(policy.capDays, in: 1...366, field: "policy.cap_days")
    try FieldValidation.require(policy.quietStartMinute, in: 0...1439, field: "policy.quiet_start_minute")
    try FieldValidation.require(policy.quietEndMinute, in: 0...1439, field: "policy.quiet_end_minute")
    let record = ContactPolicyRecord(
      tier: policy.tier, channel: policy.channel.rawValue, capDays: Int(policy.capDays),
      quietStartMinute: Int(policy.quietStartMinute), quietEndMinute: Int(policy.quietEndMinute))
    try await store.database.write { db in try record.save(db) }
    return .with { $0.policy = record.message }
  }
}

extension ContactPolicyRecord {
  var message: Crm_Interaction_V1_ContactPolicy {
    .with {
      $0.tier = tier
      $0.channel = Crm_Interaction_V1_Channel(rawValue: channel) ?? .unspecified
      $0.capDays = Int32(capDays)
      $0.quietStartMinute = Int32(quietStartMinute)
      $0.quietEndMinute = Int32(quietEndMinute)
    }
  }
}
