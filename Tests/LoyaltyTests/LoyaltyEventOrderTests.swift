import Contracts
import Foundation
import GRDB
import Loyalty
import ServiceKit
import Testing

/// Reversals from segmentation (refunds) and trust (approved refund claims) can reach loyalty
/// before the purchase they take points back from: they wait for it, and apply once.
@Suite("Loyalty: a reversal that arrives before its purchase waits for it")
struct LoyaltyEventOrderTests {
  func claimApproved(_ harness: LoyaltyHarness, _ customer: String, claim: String, order: String, amountMinor: Int64)
    -> Crm_Events_V1_Event
  {
    EventStore.event(
      from: .trust, customerID: customer, at: harness.clock.now(),
      payload: .refundClaimApproved(.with {
        $0.claimID = claim
        $0.orderID = order
        $0.refundAmount = .with { $0.amountMinor = amountMinor; $0.currency = "CNY" }
        $0.orderAmount = .with { $0.amountMinor = amountMinor; $0.currency = "CNY" }
      }))
  }

  func refunded(
    _ harness: LoyaltyHarness, _ customer: String, refund: String, order: String, refundMinor: Int64, orderMinor: Int64
  ) -> Crm_Events_V1_Event {
    EventStore.event(
      from: .segmentation, customerID: customer, at: harness.clock.now(),
      payload: .purchaseRefunded(.with {
        $0.refundID = refund
        $0.orderID = order
        $0.refundAmount = .with { $0.amountMinor = refundMinor; $0.currency = "CNY" }
        $0.orderAmount = .with { $0.amountMinor = orderMinor; $0.currency = "CNY" }
      }))
  }

  func deliver(_ harness: LoyaltyHarness, _ events: Crm_Events_V1_Event...) async throws
    -> Crm_Events_V1_DeliverEventsResponse
  {
    try await harness.events.deliverEvents(.with { $0.events = events })
  }

  func waiting(_ harness: LoyaltyHarness) async throws -> Int {
    try await harness.database.read { db in
      try Int.fetchOne(db, sql: "SELECT count(*) FROM parked_event WHERE rejected_at IS NULL") ?? 0
    }
  }

  @Test("an approved claim before its purchase waits; the purchase then earns and is reversed exactly once; redeliveries change nothing")
  func claimBeforePurchase() async throws {
    try await LoyaltyHarness.run { harness in
      // Given a member with 100 points from an earlier order
      try await harness.deliver(harness.purchase("c1", order: "o-0", amountMinor: 100_00))
      #expect(try await harness.account("c1").balance == 100)

      // When trust's approved claim on order o-1 arrives before segmentation's purchase of it
      let claim = claimApproved(harness, "c1", claim: "cl-1", order: "o-1", amountMinor: 250_00)
      let early = try await deliver(harness, claim)

      // Then it is acknowledged, not rejected, and waits: nothing moved
      #expect(early.acknowledgedEventIds == [claim.eventID])
      #expect(early.rejected.isEmpty)
      #expect(try await waiting(harness) == 1)
      #expect(try await harness.account("c1").balance == 100)

      // When the purchase arrives
      let purchase = harness.purchase("c1", order: "o-1", amountMinor: 250_00)
      let late = try await deliver(harness, purchase)

      // Then it earns, the waiting claim takes the points back, and nothing waits any more
      #expect(late.rejected.isEmpty)
      #expect(try await waiting(harness) == 0)
      #expect(try await harness.account("c1").balance == 100)
      let entries = try await harness.allEntries("c1")
      #expect(entries.filter { $0.reason == "order o-1" }.map(\.points) == [250])
      #expect(entries.filter { $0.reason == "refund claim-cl-1 of order o-1" }.map(\.points) == [-250])

      // When either is delivered again (alone, then together)
      _ = try await deliver(harness, claim)
      _ = try await deliver(harness, purchase)
      let again = try await deliver(harness, purchase, claim)

      // Then both are acknowledged, none rejected, and the ledger is unchanged
      #expect(again.acknowledgedEventIds == [purchase.eventID, claim.eventID])
      #expect(again.rejected.isEmpty)
      #expect(try await harness.allEntries("c1").count == entries.count)
      #expect(try await harness.account("c1").balance == 100)
      try await harness.expectInvariant("c1")
    }
  }

  @Test("a refund and a claim before a customer's first purchase both wait, then apply once each")
  func reversalsBeforeFirstPurchase() async throws {
    try await LoyaltyHarness.run { harness in
      // Given no account yet, a partial refund and then a claim for the rest of order o-1
      let refund = refunded(harness, "c2", refund: "r-1", order: "o-1", refundMinor: 40_00, orderMinor: 100_00)
      var claim = claimApproved(harness, "c2", claim: "cl-2", order: "o-1", amountMinor: 100_00)
      claim.refundClaimApproved.refundAmount.amountMinor = 60_00
      let early = try await deliver(harness, refund, claim)
      #expect(early.rejected.isEmpty)
      #expect(try await waiting(harness) == 2)

      // When the purchase arrives
      try await harness.deliver(harness.purchase("c2", order: "o-1", amountMinor: 100_00))

      // Then the order earned 100 and each reversal took its share, once
      let entries = try await harness.allEntries("c2")
      #expect(entries.filter { $0.reason == "order o-1" }.map(\.points) == [100])
      #expect(entries.filter { $0.reason == "refund r-1 of order o-1" }.map(\.points) == [-40])
      #expect(entries.filter { $0.reason == "refund claim-cl-2 of order o-1" }.map(\.points) == [-60])
      #expect(entries.count == 3)
      #expect(try await harness.account("c2").balance == 0)
      #expect(try await waiting(harness) == 0)
    }
  }

  @Test("a reversal that can never apply is rejected at once: more than the order, or another currency")
  func impossibleReversalIsRejected() async throws {
    try await LoyaltyHarness.run { harness in
      // Given reversals whose amounts no purchase can make right
      let tooMuch = refunded(harness, "c3", refund: "r-9", order: "o-9", refundMinor: 200_00, orderMinor: 100_00)
      var currency = claimApproved(harness, "c3", claim: "cl-9", order: "o-9", amountMinor: 100_00)
      currency.refundClaimApproved.refundAmount.currency = "USD"

      // When they arrive
      let response = try await deliver(harness, tooMuch, currency)

      // Then both are rejected with the field at fault, and nothing waits
      #expect(response.rejected.map(\.eventID) == [tooMuch.eventID, currency.eventID])
      #expect(response.rejected.first?.reason.hasPrefix("refund_amount.amount_minor:") == true)
      #expect(response.rejected.last?.reason.hasPrefix("refund_amount.currency:") == true)
      #expect(try await waiting(harness) == 0)
    }
  }

  @Test("a reversal of an order that was seen but earned nothing applies as nothing to take back")
  func reversalOfOrderThatEarnedNothing() async throws {
    try await LoyaltyHarness.run { harness in
      // Given a purchase too small to earn (and so no account)
      try await harness.deliver(harness.purchase("c4", order: "o-4", amountMinor: 99))

      // When its refund arrives
      let response = try await deliver(
        harness, refunded(harness, "c4", refund: "r-4", order: "o-4", refundMinor: 99, orderMinor: 99))

      // Then it is acknowledged, neither rejected nor waiting
      #expect(response.rejected.isEmpty)
      #expect(try await waiting(harness) == 0)
    }
  }
}
