import Contracts
import Foundation
import GRDB
import GRPCCore
import ServiceKit
import SwiftProtobuf

extension SegmentationService {
  /// `GetTierReport`: the tier mix at `to_time` and the movement from `from_time`, replayed
  /// from the recorded tier changes (so it answers for any past period, not only today).
  public func getTierReport(
    request: Crm_Segmentation_V1_GetTierReportRequest,
    context: ServerContext
  ) async throws -> Crm_Segmentation_V1_GetTierReportResponse {
    let from = try Self.reportTime(request.fromTime, present: request.hasFromTime, field: "from_time")
    let to = try Self.reportTime(request.toTime, present: request.hasToTime, field: "to_time")
    if from > to {
      throw ServiceError.invalidArgument(field: "from_time", reason: "must not be after to_time")
    }
    return try await store.database.read { db in
      // One pass over the tier changes up to `to`, in order: the last change at or before each
      // date is the tier then. Erased customers keep their anonymous history.
      let rows = try Row.fetchCursor(
        db,
        sql: """
          SELECT customer_id, changed_at, to_value FROM profile_change
          WHERE kind = ? AND changed_at <= ? ORDER BY seq
          """,
        arguments: [Crm_Segmentation_V1_ProfileChange.Kind.tier.rawValue, to])
      var atFrom: [String: String] = [:]
      var atTo: [String: String] = [:]
      while let row = try rows.next() {
        let customer: String = row["customer_id"]
        let tier: String = row["to_value"]
        atTo[customer] = tier
        if (row["changed_at"] as Date) <= from { atFrom[customer] = tier }
      }
      var mix: [String: Int64] = [:]
      var moves: [String: [String: Int64]] = [:]
      for (customer, tier) in atTo {
        mix[tier, default: 0] += 1
        moves[atFrom[customer] ?? "", default: [:]][tier, default: 0] += 1
      }
      let retention = try CustomerRetention.figures(db, from: from, to: to)
      return .with {
        $0.customersAtStart = retention.atStart
        $0.retainedCustomers = retention.retained
        $0.retentionRate =
          retention.atStart > 0 ? Double(retention.retained) / Double(retention.atStart) : 0
        $0.buyingCustomers = retention.buying
        if let average = retention.averageValue { $0.averageLifetimeValue = average }
        $0.tierMix = mix.keys.sorted().map { tier in
          .with {
            $0.tier = tier
            $0.customers = mix[tier] ?? 0
          }
        }
        $0.movements = moves.keys.sorted().flatMap { fromTier in
          (moves[fromTier] ?? [:]).keys.sorted().map { toTier in
            Crm_Segmentation_V1_TierMovement.with {
              $0.fromTier = fromTier
              $0.toTier = toTier
              $0.customers = moves[fromTier]?[toTier] ?? 0
            }
          }
        }
      }
    }
  }

  private static func reportTime(
    _ timestamp: Google_Protobuf_Timestamp, present: Bool, field: String
  ) throws(ServiceError) -> Date {
    if !present { throw .invalidArgument(field: field, reason: "is required") }
    guard (0..<1_000_000_000).contains(timestamp.nanos),
      (1...253_402_300_799).contains(timestamp.seconds)
    else { throw .invalidArgument(field: field, reason: "is not a valid time") }
    return timestamp.date
  }
}
