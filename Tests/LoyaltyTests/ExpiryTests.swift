import Contracts
import Foundation
import GRPCCore
import Loyalty
import ServiceKit
import Testing

@Suite("Loyalty: expiry of points lots through the gRPC client")
struct ExpiryTests {
  @Test("a lot expires exactly at its expiry time, with one expire entry dated then")
  func expiresExactlyOnTime() async throws {
    try await LoyaltyHarness.run { loyalty in
      // Given 100 points earned 2026-01-01, valid 12 months
      try await loyalty.earn("alice", 100)
      let expiry = utc(2027, 1, 1)

      // When the run happens a millisecond early, nothing expires
      loyalty.clock.set(expiry.addingTimeInterval(-0.001))
      let early = try await loyalty.client.runExpiry(.init())
      #expect(early.lotsExpired == 0)
      #expect(try await loyalty.account("alice").balance == 100)

      // When it happens at the instant, the lot expires
      loyalty.clock.set(expiry)
      let onTime = try await loyalty.client.runExpiry(.init())
      #expect(onTime.lotsExpired == 1)
      #expect(onTime.pointsExpired == 100)
      #expect(!onTime.more)
      let entries = try await loyalty.allEntries("alice")
      #expect(entries.first?.kind == "expire")
      #expect(entries.first?.points == -100)
      #expect(entries.first?.createTime.date == expiry)

      // Then a later run writes nothing more
      loyalty.clock.advance(by: 86_400)
      #expect(try await loyalty.client.runExpiry(.init()).lotsExpired == 0)
      #expect(try await loyalty.allEntries("alice").count == 2)
      try await loyalty.expectInvariant("alice")
    }
  }

  @Test("only what is left of a lot expires; a late run still dates the entry at the expiry")
  func partialLot() async throws {
    try await LoyaltyHarness.run { loyalty in
      try await loyalty.earn("alice", 100)
      try await loyalty.redeem("alice", 30)
      loyalty.clock.set(utc(2027, 3, 5))
      #expect(try await loyalty.client.runExpiry(.init()).pointsExpired == 70)
      let entry = try await loyalty.allEntries("alice").first { $0.kind == "expire" }
      #expect(entry?.points == -70)
      #expect(entry?.createTime.date == utc(2027, 1, 1))
      try await loyalty.expectInvariant("alice")
    }
  }

  @Test("validity rounded to the end of the month expires at the next month's first instant")
  func endOfMonth() async throws {
    let clock = ManualClock(start: utc(2026, 1, 15, 10, 30))
    try await LoyaltyHarness.run(policy: .init(roundToEndOfMonth: true), clock: clock) { loyalty in
      try await loyalty.earn("alice", 100)
      let soon = try await loyalty.client.listExpiringPoints(
        .with {
          $0.customerID = "alice"
          $0.within = days(400)
        })
      #expect(soon.lots.first?.expireTime.date == utc(2027, 2, 1))
      #expect(soon.lots.first?.earnTime.date == utc(2026, 1, 15, 10, 30))
    }
  }

  @Test("points past their expiry cannot be redeemed even before a run writes the expiry")
  func noRedeemOfExpiredPoints() async throws {
    try await LoyaltyHarness.run { loyalty in
      try await loyalty.earn("alice", 100)
      loyalty.clock.set(utc(2027, 1, 1))
      try await loyalty.earn("alice", 10)
      let error = await rpcError { try await loyalty.redeem("alice", 50) }
      #expect(error?.code == .failedPrecondition)
      #expect(try await loyalty.account("alice").balance == 10)
      try await loyalty.expectInvariant("alice")
    }
  }

  @Test("a run stops at max_lots and says when more are due")
  func batches() async throws {
    try await LoyaltyHarness.run { loyalty in
      for customer in ["a", "b", "c"] { try await loyalty.earn(customer, 10) }
      loyalty.clock.set(utc(2027, 2, 1))
      let first = try await loyalty.client.runExpiry(.with { $0.maxLots = 2 })
      #expect(first.lotsExpired == 2)
      #expect(first.more)
      let second = try await loyalty.client.runExpiry(.with { $0.maxLots = 2 })
      #expect(second.lotsExpired == 1)
      #expect(!second.more)
      for customer in ["a", "b", "c"] { try await loyalty.expectInvariant(customer) }

      let error = await rpcError {
        _ = try await loyalty.client.runExpiry(.with { $0.maxLots = -1 })
      }
      #expect(error?.code == .invalidArgument)
      #expect(error?.message.hasPrefix("max_lots:") == true)
    }
  }

  @Test("points expiring soon lists the lots due within the window, soonest first")
  func expiringSoon() async throws {
    try await LoyaltyHarness.run { loyalty in
      // Given lots expiring 2027-01-01, 2027-02-01 and 2027-03-01
      for (month, points) in [(1, Int64(100)), (2, 20), (3, 3)] {
        loyalty.clock.set(utc(2026, month, 1))
        try await loyalty.earn("alice", points)
      }
      try await loyalty.redeem("alice", 40)
      loyalty.clock.set(utc(2026, 12, 20))

      func expiring(within: Int64) async throws -> Crm_Loyalty_V1_ListExpiringPointsResponse {
        try await loyalty.client.listExpiringPoints(
          .with {
            $0.customerID = "alice"
            $0.within = days(within)
          })
      }
      let twoWeeks = try await expiring(within: 15)
      #expect(twoWeeks.lots.map(\.points) == [60])
      #expect(twoWeeks.totalPoints == 60)
      let sixWeeks = try await expiring(within: 45)
      #expect(sixWeeks.lots.map(\.points) == [60, 20])
      #expect(sixWeeks.lots.map { $0.expireTime.date } == [utc(2027, 1, 1), utc(2027, 2, 1)])

      // Once a lot's time has come it is no longer "soon": it is gone
      loyalty.clock.set(utc(2027, 1, 1))
      #expect(try await expiring(within: 45).lots.map(\.points) == [20])
    }
  }

  @Test(
    "ListExpiringPoints: bad input is INVALID_ARGUMENT naming the field",
    arguments: [("within", Int64(0)), ("within", -1), ("within", 3000), ("customer_id", 10)])
  func expiringBadInput(field: String, within: Int64) async throws {
    try await LoyaltyHarness.run { loyalty in
      try await loyalty.earn("alice", 100)
      let error = await rpcError {
        _ = try await loyalty.client.listExpiringPoints(
          .with {
            $0.customerID = field == "customer_id" ? "" : "alice"
            $0.within = days(within)
          })
      }
      #expect(error?.code == .invalidArgument)
      #expect(error?.message.hasPrefix("\(field):") == true, "\(error?.message ?? "")")
    }
  }

  @Test("ListExpiringPoints: an unknown account is NOT_FOUND")
  func expiringUnknown() async throws {
    try await LoyaltyHarness.run { loyalty in
      let error = await rpcError {
        _ = try await loyalty.client.listExpiringPoints(
          .with {
            $0.customerID = "nobody"
            $0.within = days(30)
          })
      }
      #expect(error?.code == .notFound)
    }
  }
}
