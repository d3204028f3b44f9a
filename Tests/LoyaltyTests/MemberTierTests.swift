import Contracts
import Foundation
import GRDB
import GRPCCore
import ServiceKit
import SwiftProtobuf
import Testing

@Suite("Loyalty: member tiers, upgrades at once, downgrades a step at the period's end")
struct MemberTierTests {
  /// The tier changes loyalty's outbox holds for segmentation, oldest first.
  func outboxTierChanges(_ loyalty: LoyaltyHarness) async throws -> [(String, String, String)] {
    try await loyalty.database.read { db in
      try Row.fetchAll(
        db, sql: "SELECT destination, event FROM outbox_event ORDER BY seq"
      ).map { row in
        let event = try Crm_Events_V1_Event(serializedBytes: row["event"] as Data)
        #expect(row["destination"] as String == "segmentation")
        #expect(event.source == "loyalty")
        return (event.customerID, event.loyaltyTierChanged.fromTier, event.loyaltyTierChanged.toTier)
      }
    }
  }

  @Test("a purchase that qualifies upgrades at once, tells segmentation, and earns the tier's rate")
  func upgradeAtOnce() async throws {
    try await LoyaltyHarness.run { loyalty in
      // Given a silver member
      try await loyalty.deliver(loyalty.purchase("alice", order: "o-1", amountMinor: 100_000))
      #expect(try await loyalty.client.getMemberTier(.with { $0.customerID = "alice" }).tier == "silver")
      #expect(try await outboxTierChanges(loyalty).isEmpty)

      // When a purchase brings the rolling year's spend to 5,000.00
      try await loyalty.deliver(loyalty.purchase("alice", order: "o-2", amountMinor: 400_000))

      // Then gold, with its benefits, recorded and sent to segmentation
      let member = try await loyalty.client.getMemberTier(.with { $0.customerID = "alice" })
      #expect(member.tier == "gold")
      #expect(member.benefits.discountPercent == 5)
      #expect(member.benefits.priorityService)
      #expect(member.nextTier == "diamond")
      #expect(member.windowSpendMinor == 500_000)
      #expect(member.windowPurchases == 2)
      #expect(member.periodEndTime.date == utc(2027, 1, 1))
      #expect(try await loyalty.account("alice").tier == "gold")
      let changes = try await loyalty.client.listTierChanges(.with { $0.customerID = "alice" }).changes
      #expect(changes.map(\.reason) == ["upgrade"])
      #expect(changes.first?.toTier == "gold")
      let sent = try await outboxTierChanges(loyalty)
      #expect(sent.count == 1)
      #expect(sent.first?.0 == "alice")
      #expect(sent.first?.2 == "gold")

      // And the next purchase earns gold's 125%
      loyalty.clock.advance(by: 60)
      try await loyalty.deliver(loyalty.purchase("alice", order: "o-3", amountMinor: 10_000))
      #expect(try await loyalty.allEntries("alice").first?.points == 125)
      try await loyalty.expectInvariant("alice")
    }
  }

  @Test("at the period's end a member who no longer qualifies drops one tier; one who does keeps it")
  func downgradeOneStep() async throws {
    try await LoyaltyHarness.run { loyalty in
      // Given tiers by points in a 30-day window, reviewed monthly
      var program = try await loyalty.client.getTierProgram(.init()).program
      program.tiers[1].minSpendMinor = 0
      program.tiers[1].minPurchases = 0
      program.tiers[1].minPoints = 100
      program.tiers[2].minSpendMinor = 0
      program.tiers[2].minPurchases = 0
      program.tiers[2].minPoints = 1_000
      program.qualificationWindow = days(30)
      program.periodMonths = 1
      _ = try await loyalty.client.setTierProgram(.with { $0.program = program })
      try await loyalty.earn("alice", 1_000)
      #expect(try await loyalty.account("alice").tier == "diamond")

      // A second before the period's end nothing is due
      loyalty.clock.set(utc(2026, 2, 1).addingTimeInterval(-1))
      #expect(try await loyalty.client.runTierReview(.init()).membersReviewed == 0)

      // At its end: no points in the window, so one step down, not two
      loyalty.clock.set(utc(2026, 2, 1))
      let review = try await loyalty.client.runTierReview(.init())
      #expect(review.membersReviewed == 1)
      #expect(review.membersDowngraded == 1)
      #expect(try await loyalty.account("alice").tier == "gold")
      #expect(try await loyalty.client.runTierReview(.init()).membersReviewed == 0)

      // Earning enough for gold keeps gold at the next end
      loyalty.clock.set(utc(2026, 2, 2))
      try await loyalty.earn("alice", 100)
      loyalty.clock.set(utc(2026, 3, 1))
      #expect(try await loyalty.client.runTierReview(.init()).membersDowngraded == 0)
      #expect(try await loyalty.account("alice").tier == "gold")

      // And the month after, with nothing in the window, silver: no more reviews
      loyalty.clock.set(utc(2026, 4, 1))
      #expect(try await loyalty.client.runTierReview(.init()).membersDowngraded == 1)
      let member = try await loyalty.client.getMemberTier(.with { $0.customerID = "alice" })
      #expect(member.tier == "silver")
      #expect(!member.hasPeriodEndTime)
      loyalty.clock.set(utc(2026, 6, 1))
      #expect(try await loyalty.client.runTierReview(.init()).membersReviewed == 0)

      let changes = try await loyalty.client.listTierChanges(.with { $0.customerID = "alice" }).changes
      #expect(changes.map(\.toTier) == ["silver", "gold", "diamond"])
      #expect(changes.map(\.reason) == ["downgrade", "downgrade", "upgrade"])
      #expect(try await outboxTierChanges(loyalty).map(\.2) == ["diamond", "gold", "silver"])
      try await loyalty.expectInvariant("alice")
    }
  }

  @Test("a bad tier program is INVALID_ARGUMENT naming the field and changes nothing")
  func badProgram() async throws {
    try await LoyaltyHarness.run { loyalty in
      let good = try await loyalty.client.getTierProgram(.init()).program
      for (field, change) in [
        ("program.tiers", { (p: inout Crm_Loyalty_V1_TierProgram) in p.tiers = [] }),
        ("program.tiers[1].name", { $0.tiers[1].name = "silver" }),
        ("program.tiers[2]", { $0.tiers[2].minSpendMinor = 1 }),
        ("program.tiers[0]", { $0.tiers[0].minPoints = 1 }),
        ("program.qualification_window", { $0.qualificationWindow = days(0) }),
        ("program.period_months", { $0.periodMonths = 0 }),
      ] {
        var bad = good
        change(&bad)
        let error = await rpcError { _ = try await loyalty.client.setTierProgram(.with { $0.program = bad }) }
        #expect(error?.code == .invalidArgument)
        #expect(error?.message.hasPrefix("\(field):") == true, "\(error?.message ?? "")")
      }
      #expect(try await loyalty.client.getTierProgram(.init()).program == good)
      let missing = await rpcError { _ = try await loyalty.client.getMemberTier(.with { $0.customerID = "nobody" }) }
      #expect(missing?.code == .notFound)
    }
  }
}
