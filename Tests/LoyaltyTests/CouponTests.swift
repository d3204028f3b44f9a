import Contracts
import Foundation
import GRPCCore
import ServiceKit
import Testing

@Suite("Loyalty: come-back and exclusive coupons, single-use, with validity")
struct CouponTests {
  func stageChanged(_ loyalty: LoyaltyHarness, _ customer: String, to stage: String)
    -> Crm_Events_V1_Event
  {
    EventStore.event(
      from: .segmentation, customerID: customer, at: loyalty.clock.now(),
      payload: .lifecycleStageChanged(
        .with {
          $0.fromStage = "active"
          $0.toStage = stage
        }))
  }

  @Test("turning dormant issues one come-back coupon per event; it redeems once, within validity")
  func comebackCoupon() async throws {
    try await LoyaltyHarness.run { loyalty in
      // Given a dormant event delivered twice, and a change to another stage
      let dormant = stageChanged(loyalty, "alice", to: "dormant")
      try await loyalty.deliver(dormant)
      try await loyalty.deliver(dormant)
      try await loyalty.deliver(stageChanged(loyalty, "alice", to: "churned"))

      // Then one come-back coupon, valid 30 days
      let coupons = try await loyalty.client.listCoupons(.with { $0.customerID = "alice" }).coupons
      #expect(coupons.count == 1)
      let coupon = try #require(coupons.first)
      #expect(coupon.kind == "comeback")
      #expect(coupon.discountPercent == 15)
      #expect(coupon.code.count == 12)
      #expect(coupon.validUntil.date == loyalty.clock.now().addingTimeInterval(30 * 86_400))

      // Redeemed once; twice is FAILED_PRECONDITION; another customer's code is NOT_FOUND
      let other = await rpcError {
        _ = try await loyalty.client.redeemCoupon(.with { $0.customerID = "bob"; $0.code = coupon.code })
      }
      #expect(other?.code == .notFound)
      let used = try await loyalty.client.redeemCoupon(.with { $0.customerID = "alice"; $0.code = coupon.code })
      #expect(used.coupon.redeemTime.date == loyalty.clock.now())
      let twice = await rpcError {
        _ = try await loyalty.client.redeemCoupon(.with { $0.customerID = "alice"; $0.code = coupon.code })
      }
      #expect(twice?.code == .failedPrecondition)
    }
  }

  @Test("an expired coupon is FAILED_PRECONDITION")
  func expiredCoupon() async throws {
    try await LoyaltyHarness.run { loyalty in
      try await loyalty.deliver(stageChanged(loyalty, "alice", to: "dormant"))
      let code = try await loyalty.client.listCoupons(.with { $0.customerID = "alice" }).coupons[0].code
      loyalty.clock.advance(by: 30 * 86_400)
      let late = await rpcError {
        _ = try await loyalty.client.redeemCoupon(.with { $0.customerID = "alice"; $0.code = code })
      }
      #expect(late?.code == .failedPrecondition)
    }
  }

  @Test("exclusive coupons go to frequent customers only, with unique codes")
  func exclusiveCoupons() async throws {
    try await LoyaltyHarness.run { loyalty in
      func issue(_ customer: String, key: String) async throws -> Crm_Loyalty_V1_Coupon {
        try await loyalty.client.issueCoupon(
          .with {
            $0.customerID = customer
            $0.discountPercent = 20
            $0.validFor = days(14)
            $0.idempotencyKey.key = key
          }
        ).coupon
      }
      try await loyalty.deliver(loyalty.purchase("alice", order: "o-1", amountMinor: 1_000))
      try await loyalty.deliver(loyalty.purchase("alice", order: "o-2", amountMinor: 1_000))
      let rare = await rpcError { _ = try await issue("alice", key: "x-1") }
      #expect(rare?.code == .failedPrecondition)

      try await loyalty.deliver(loyalty.purchase("alice", order: "o-3", amountMinor: 1_000))
      let first = try await issue("alice", key: "x-2")
      #expect(first.kind == "exclusive")
      #expect(try await issue("alice", key: "x-2") == first)
      let second = try await issue("alice", key: "x-3")
      #expect(second.code != first.code)
      let bad = await rpcError {
        _ = try await loyalty.client.issueCoupon(.with {
          $0.customerID = "alice"; $0.discountPercent = 0; $0.validFor = days(1); $0.idempotencyKey.key = "x-4"
        })
      }
      #expect(bad?.message.hasPrefix("discount_percent:") == true)
      #expect(try await loyalty.client.listCoupons(.with { $0.customerID = "alice" }).coupons.count == 2)
    }
  }
}
