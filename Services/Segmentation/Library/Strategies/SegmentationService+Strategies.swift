import Contracts
import Foundation
import GRDB
import GRPCCore
import ServiceKit

extension SegmentationService {
  /// `GetTierStrategy`: one tier's treatment.
  public func getTierStrategy(
    request: Crm_Segmentation_V1_GetTierStrategyRequest,
    context: ServerContext
  ) async throws -> Crm_Segmentation_V1_GetTierStrategyResponse {
    try FieldValidation.requireID(request.tier, field: "tier")
    return try await store.database.read { db in
      guard
        let row = try Row.fetchOne(
          db, sql: "SELECT strategy, updated_at FROM tier_strategy WHERE tier = ?",
          arguments: [request.tier])
      else { throw ServiceError.notFound("strategy of tier \(FieldValidation.quoted(request.tier))") }
      return try .with { $0.strategy = try Self.strategy(row) }
    }
  }

  /// `ListTierStrategies`: every tier's treatment.
  public func listTierStrategies(
    request: Crm_Segmentation_V1_ListTierStrategiesRequest,
    context: ServerContext
  ) async throws -> Crm_Segmentation_V1_ListTierStrategiesResponse {
    try await store.database.read { db in
      let rows = try Row.fetchAll(
        db, sql: "SELECT strategy, updated_at FROM tier_strategy ORDER BY tier")
      return try .with { $0.strategies = try rows.map(Self.strategy) }
    }
  }

  /// `UpdateTierStrategy`: creates or replaces a tier's treatment.
  public func updateTierStrategy(
    request: Crm_Segmentation_V1_UpdateTierStrategyRequest,
    context: ServerContext
  ) async throws -> Crm_Segmentation_V1_UpdateTierStrategyResponse {
    var strategy = request.strategy
    try TierRuleInput.validateTier(strategy.tier, field: "strategy.tier")
    try FieldValidation.limitText(strategy.summary, field: "strategy.summary", maxLength: 500)
    try FieldValidation.limitText(
      strategy.priorityChannel, field: "strategy.priority_channel", maxLength: 64)
    for (name, list) in [("treatments", strategy.treatments), ("offers", strategy.offers)] {
      if list.count > 20 {
        throw ServiceError.invalidArgument(field: "strategy.\(name)", reason: "at most 20")
      }
      for (index, item) in list.enumerated() {
        try FieldValidation.requireText(item, field: "strategy.\(name)[\(index)]", maxLength: 128)
      }
    }
    let now = clock.now()
    strategy.clearUpdateTime()
    let bytes: Data = try strategy.serializedBytes()
    let tier = strategy.tier
    try await store.database.write { db in
      try db.execute(
        sql: """
          INSERT INTO tier_strategy (tier, strategy, updated_at) VALUES (?, ?, ?)
          ON CONFLICT (tier) DO UPDATE SET strategy = excluded.strategy, updated_at = excluded.updated_at
          """,
        arguments: [tier, bytes, now])
    }
    strategy.updateTime = .init(storeDate: now)
    return .with { $0.strategy = strategy }
  }

  private static func strategy(_ row: Row) throws -> Crm_Segmentation_V1_TierStrategy {
    var strategy = try Crm_Segmentation_V1_TierStrategy(serializedBytes: row["strategy"] as Data)
    strategy.updateTime = .init(storeDate: row["updated_at"])
    return strategy
  }
}
