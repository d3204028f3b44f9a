import Contracts
import Foundation
import GRDB
import ServiceKit
import SwiftProtobuf

/// The tier program as data (tiers, thresholds, benefits, window, period), kept in the store
/// as the `TierProgram` message, and the qualification it defines.
enum TierProgram {
  /// Silver for everyone, gold and diamond by spend, purchases or points in a rolling year.
  static var defaults: Crm_Loyalty_V1_TierProgram {
    .with {
      $0.tiers = [
        .with {
          $0.name = "silver"
          $0.benefits = .with { $0.discountPercent = 0 }
        },
        .with {
          $0.name = "gold"
          $0.minSpendMinor = 500_000
          $0.minPurchases = 10
          $0.minPoints = 5_000
          $0.benefits = .with {
            $0.discountPercent = 5
            $0.priorityService = true
            $0.freeTrials = 1
          }
        },
        .with {
          $0.name = "diamond"
          $0.minSpendMinor = 2_000_000
          $0.minPurchases = 30
          $0.minPoints = 20_000
          $0.benefits = .with {
            $0.discountPercent = 10
            $0.priorityService = true
            $0.freeTrials = 3
            $0.exclusiveEvents = true
          }
        },
      ]
      $0.qualificationWindow = Google_Protobuf_Duration(seconds: 365 * 86_400)
      $0.periodMonths = 12
      $0.frequentCustomerPurchases = Int32(defaultFrequentCustomerPurchases)
    }
  }

  /// Purchases in the window that make a customer frequent when the program names none.
  static let defaultFrequentCustomerPurchases: Int64 = 3

  /// Purchases in the window that make a customer frequent enough for an exclusive coupon
  /// (programs stored before the field existed, or setting 0, get the default).
  static func frequentCustomerPurchases(_ program: Crm_Loyalty_V1_TierProgram) -> Int64 {
    program.frequentCustomerPurchases == 0
      ? defaultFrequentCustomerPurchases : Int64(program.frequentCustomerPurchases)
  }

  /// The program in force.
  static func load(_ db: Database) throws -> Crm_Loyalty_V1_TierProgram {
    guard
      let bytes = try Data.fetchOne(
        db.cachedStatement(sql: "SELECT program FROM tier_program WHERE id = 1"))
    else { return defaults }
    return try Crm_Loyalty_V1_TierProgram(serializedBytes: bytes)
  }

  /// Replaces the program in force.
  static func save(_ db: Database, _ program: Crm_Loyalty_V1_TierProgram, now: Date) throws {
    let bytes: Data = try program.serializedBytes()
    try db.execute(
      sql: """
        INSERT INTO tier_program (id, program, updated_at) VALUES (1, ?, ?)
        ON CONFLICT(id) DO UPDATE SET program = excluded.program, updated_at = excluded.updated_at
        """,
      arguments: [bytes, now])
  }

  /// Checks the program, naming the field of `SetTierProgramRequest`.
  static func validate(_ program: Crm_Loyalty_V1_TierProgram) throws(ServiceError) {
    guard (1...10).contains(program.tiers.count) else {
      throw .invalidArgument(field: "program.tiers", reason: "must hold 1 to 10 tiers")
    }
    var names: Set<String> = []
    for (index, tier) in program.tiers.enumerated() {
      let field = "program.tiers[\(index)]"
      guard (1...64).contains(tier.name.count), names.insert(tier.name).inserted else {
        throw .invalidArgument(field: "\(field).name", reason: "must be unique, 1 to 64 characters")
      }
      guard tier.minSpendMinor >= 0, tier.minPurchases >= 0, tier.minPoints >= 0 else {
        throw .invalidArgument(field: field, reason: "thresholds must not be negative")
      }
      if index == 0, tier.minSpendMinor != 0 || tier.minPurchases != 0 || tier.minPoints != 0 {
        throw .invalidArgument(field: field, reason: "the lowest tier has no thresholds")
      }
      if index > 0 {
        let lower = program.tiers[index - 1]
        guard tier.minSpendMinor != 0 || tier.minPurchases != 0 || tier.minPoints != 0 else {
          throw .invalidArgument(field: field, reason: "a tier above the lowest needs a threshold")
        }
        guard tier.minSpendMinor >= lower.minSpendMinor, tier.minPurchases >= lower.minPurchases,
          tier.minPoints >= lower.minPoints
        else {
          throw .invalidArgument(field: field, reason: "thresholds must not fall from the tier below")
        }
      }
      let benefits = tier.benefits
      guard (0...100).contains(benefits.discountPercent), (0...100).contains(benefits.freeTrials)
      else {
        throw .invalidArgument(field: "\(field).benefits", reason: "percent and trials are 0 to 100")
      }
    }
    let window = program.qualificationWindow
    guard window.seconds > 0, window.seconds <= 1096 * 86_400, window.nanos >= 0 else {
      throw .invalidArgument(field: "program.qualification_window", reason: "must be 1 to 1096 days")
    }
    guard (1...36).contains(program.periodMonths) else {
      throw .invalidArgument(field: "program.period_months", reason: "must be 1 to 36")
    }
    guard (0...1000).contains(program.frequentCustomerPurchases) else {
      throw .invalidArgument(
        field: "program.frequent_customer_purchases",
        reason: "must be 0 (the default 3) to 1000")
    }
  }

  /// What a member did within the window ending at `now`.
  struct Progress {
    var spendMinor: Int64 = 0
    var purchases: Int64 = 0
    var points: Int64 = 0
  }

  static func progress(
    _ db: Database, customerID: String, program: Crm_Loyalty_V1_TierProgram, now: Date
  ) throws -> Progress {
    let since = now.addingTimeInterval(-TimeInterval(program.qualificationWindow.seconds))
    let row = try Row.fetchOne(
      db.cachedStatement(sql: """
        SELECT COALESCE(SUM(spend_minor), 0) AS spend, COALESCE(SUM(purchases), 0) AS purchases,
               COALESCE(SUM(points), 0) AS points
        FROM tier_activity WHERE customer_id = ? AND created_at > ?
        """), arguments: [customerID, since])!
    return Progress(spendMinor: row["spend"], purchases: row["purchases"], points: row["points"])
  }

  /// The highest tier whose thresholds the progress meets (any one non-zero threshold).
  static func qualifiedIndex(_ program: Crm_Loyalty_V1_TierProgram, progress: Progress) -> Int {
    var qualified = 0
    for (index, tier) in program.tiers.enumerated().dropFirst() {
      let met =
        (tier.minSpendMinor > 0 && progress.spendMinor >= tier.minSpendMinor)
        || (tier.minPurchases > 0 && progress.purchases >= Int64(tier.minPurchases))
        || (tier.minPoints > 0 && progress.points >= tier.minPoints)
      if met { qualified = index }
    }
    return qualified
  }

  /// The position of a member's tier; an empty or retired name is the lowest.
  static func index(of tier: String, in program: Crm_Loyalty_V1_TierProgram) -> Int {
    program.tiers.firstIndex { $0.name == tier } ?? 0
  }
}
