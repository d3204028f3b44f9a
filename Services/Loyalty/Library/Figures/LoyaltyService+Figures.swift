import Contracts
import Foundation
import GRDB
import GRPCCore
import ServiceKit
import SwiftProtobuf

extension LoyaltyService {
  /// The longest period the figures cover in one call.
  static let maxFiguresPeriod: TimeInterval = 10 * 366 * 86_400

  /// The programme's figures over a period; see `GetLoyaltyFigures` in loyalty.proto.
  ///
  /// Every query reads a range of an index by time (`figures-v1`); only the tier mix and the
  /// liability read every account, from a covering index.
  public func getLoyaltyFigures(
    request: Crm_Loyalty_V1_GetLoyaltyFiguresRequest,
    context: ServerContext
  ) async throws -> Crm_Loyalty_V1_GetLoyaltyFiguresResponse {
    guard request.hasFromTime else {
      throw ServiceError.invalidArgument(field: "from_time", reason: "is required")
    }
    guard request.hasToTime else {
      throw ServiceError.invalidArgument(field: "to_time", reason: "is required")
    }
    let from = request.fromTime.date
    let to = request.toTime.date
    guard to > from else {
      throw ServiceError.invalidArgument(field: "to_time", reason: "must be after from_time")
    }
    guard to.timeIntervalSince(from) <= Self.maxFiguresPeriod else {
      throw ServiceError.invalidArgument(
        field: "to_time", reason: "must be at most 10 years after from_time")
    }
    return try await store.database.read { db in
      var figures = Crm_Loyalty_V1_GetLoyaltyFiguresResponse()
      figures.fromTime = request.fromTime
      figures.toTime = request.toTime
      try Self.ledgerFigures(db, from: from, to: to, into: &figures)
      try Self.tierFigures(db, from: from, to: to, into: &figures)
      try Self.repurchaseFigures(db, from: from, to: to, into: &figures)
      return figures
    }
  }

  /// Participation, points by kind, redemption rate and liability.
  private static func ledgerFigures(
    _ db: Database, from: Date, to: Date,
    into figures: inout Crm_Loyalty_V1_GetLoyaltyFiguresResponse
  ) throws {
    figures.accounts =
      try Int64.fetchOne(
        db, sql: "SELECT COUNT(*) FROM loyalty_account WHERE created_at < ?", arguments: [to]) ?? 0
    figures.participatingAccounts =
      try Int64.fetchOne(
        db,
        sql: """
          SELECT COUNT(DISTINCT customer_id) FROM ledger_entry
          WHERE kind = 'earn' AND created_at >= ? AND created_at < ?
          """, arguments: [from, to]) ?? 0
    let sums = try Row.fetchAll(
      db,
      sql: """
        SELECT kind, SUM(points) AS points FROM ledger_entry
        WHERE kind IN ('earn', 'redeem', 'expire', 'reverse')
          AND created_at >= ? AND created_at < ?
        GROUP BY kind
        """, arguments: [from, to])
    for row in sums {
      let points: Int64 = row["points"]
      switch row["kind"] as String {
      case "earn": figures.pointsIssued = points
      case "redeem": figures.pointsRedeemed = -points
      case "expire": figures.pointsExpired = -points
      default: figures.pointsReversed = -points
      }
    }
    figures.participationRate = ratio(figures.participatingAccounts, figures.accounts)
    figures.redemptionRate = ratio(figures.pointsRedeemed, figures.pointsIssued)
    figures.outstandingPoints =
      try Int64.fetchOne(
        db, sql: "SELECT COALESCE(SUM(balance) + SUM(pending_points), 0) FROM loyalty_account")
      ?? 0
  }

  /// Tier mix now and the period's tier changes.
  private static func tierFigures(
    _ db: Database, from: Date, to: Date,
    into figures: inout Crm_Loyalty_V1_GetLoyaltyFiguresResponse
  ) throws {
    let program = try TierProgram.load(db)
    var members: [String: Int64] = [:]
    for row in try Row.fetchAll(
      db, sql: "SELECT tier, COUNT(*) AS members FROM loyalty_account GROUP BY tier")
    {
      // An empty tier, or one the program no longer has, is where TierProgram.index puts it.
      let tier: String = row["tier"]
      let name =
        tier.isEmpty || program.tiers.contains(where: { $0.name == tier })
        ? program.tiers[TierProgram.index(of: tier, in: program)].name : tier
      members[name, default: 0] += row["members"]
    }
    let ordered = program.tiers.map(\.name)
    let others = members.keys.filter { !ordered.contains($0) }.sorted()
    figures.tierMix = (ordered + others).map { tier in
      .with {
        $0.tier = tier
        $0.members = members[tier] ?? 0
      }
    }
    let movements = try Row.fetchAll(
      db,
      sql: """
        SELECT from_tier, to_tier, reason, COUNT(*) AS changes FROM tier_change
        WHERE created_at >= ? AND created_at < ?
        GROUP BY from_tier, to_tier, reason ORDER BY reason DESC, from_tier, to_tier
        """, arguments: [from, to])
    figures.tierMovements = movements.map { row in
      .with {
        $0.fromTier = row["from_tier"]
        $0.toTier = row["to_tier"]
        $0.reason = row["reason"]
        $0.changes = row["changes"]
      }
    }
    figures.upgrades = figures.tierMovements.filter { $0.reason == "upgrade" }
      .reduce(0) { $0 + $1.changes }
    figures.downgrades = figures.tierMovements.filter { $0.reason == "downgrade" }
      .reduce(0) { $0 + $1.changes }
  }

  /// Customers whose orders earned points in the period (credited or still pending), and
  /// those with two or more such orders.
  private static func repurchaseFigures(
    _ db: Database, from: Date, to: Date,
    into figures: inout Crm_Loyalty_V1_GetLoyaltyFiguresResponse
  ) throws {
    // UNION drops an order counted twice (pending, then released as a lot).
    let row = try Row.fetchOne(
      db,
      sql: """
        SELECT COUNT(*) AS purchasing, COALESCE(SUM(orders >= 2), 0) AS repeating FROM (
          SELECT customer_id, COUNT(*) AS orders FROM (
            SELECT customer_id, order_id FROM points_lot
            WHERE order_id <> '' AND earned_at >= ? AND earned_at < ?
            UNION
            SELECT customer_id, order_id FROM pending_points
            WHERE earned_at >= ? AND earned_at < ?
          ) GROUP BY customer_id
        )
        """, arguments: [from, to, from, to])
    figures.purchasingCustomers = row?["purchasing"] ?? 0
    figures.repeatCustomers = row?["repeating"] ?? 0
    figures.repurchaseRate = ratio(figures.repeatCustomers, figures.purchasingCustomers)
  }

  private static func ratio(_ part: Int64, _ whole: Int64) -> Double {
    whole == 0 ? 0 : Double(part) / Double(whole)
  }
}
