import Contracts
import Foundation
import GRPCCore
import ServiceKit
import Testing

@Suite("Loyalty: the come-back coupon and the frequent-customer threshold are data")
struct CouponSettingsTests {
  @Test("the defaults are 15% for 30 days and 3 purchases, and show in the rules and program")
  func defaults() async throws {
    try await LoyaltyHarness.run { loyalty in
      let rules = try await loyalty.client.getEarningRules(.init()).rules
      #expect(rules.comebackCouponDiscountPercent == 15)
      #expect(rules.comebackCouponValidity == days(30))
      let program = try await loyalty.client.getTierProgram(.init()).program
      #expect(program.frequentCustomerPurchases == 3)
    }
  }

  @Test("rules and program set by an operator change the coupons issued from then on")
  func configured() async throws {
    try await LoyaltyHarness.run { loyalty in
      // Given a 25% come-back coupon valid 10 days, and one purchase making a customer frequent
      var rules = try await loyalty.client.getEarningRules(.init()).rules
      rules.comebackCouponDiscountPercent = 25
      rules.comebackCouponValidity = days(10)
      _ = try await loyalty.client.setEarningRules(.with { $0.rules = rules })
      var program = try await loyalty.client.getTierProgram(.init()).program
      program.frequentCustomerPurchases = 1
      _ = try await loyalty.client.setTierProgram(.with { $0.program = program })

      // When alice turns dormant
      try await loyalty.deliver(
        EventStore.event(
          from: .segmentation, customerID: "alice", at: loyalty.clock.now(),
          payload: .lifecycleStageChanged(.with { $0.toStage = "dormant" })))

      // Then her coupon follows the rules
      let coupon = try #require(
        try await loyalty.client.listCoupons(.with { $0.customerID = "alice" }).coupons.first)
      #expect(coupon.discountPercent == 25)
      #expect(coupon.validUntil.date == loyalty.clock.now().addingTimeInterval(10 * 86_400))

      // And bob, after one purchase, may have an exclusive coupon
      try await loyalty.deliver(loyalty.purchase("bob", order: "o-1", amountMinor: 1_000))
      let exclusive = try await loyalty.client.issueCoupon(
        .with {
          $0.customerID = "bob"
          $0.discountPercent = 20
          $0.validFor = days(14)
          $0.idempotencyKey.key = "x-1"
        })
      #expect(exclusive.coupon.kind == "exclusive")
    }
  }

  @Test("zero means the default, so rules and programs stored before the fields keep them")
  func zeroMeansDefault() async throws {
    try await LoyaltyHarness.run { loyalty in
      _ = try await loyalty.client.setEarningRules(.with { $0.rules.pointsPerCurrencyUnit = 1 })
      try await loyalty.deliver(
        EventStore.event(
          from: .segmentation, customerID: "alice", at: loyalty.clock.now(),
          payload: .lifecycleStageChanged(.with { $0.toStage = "dormant" })))
      let coupon = try #require(
        try await loyalty.client.listCoupons(.with { $0.customerID = "alice" }).coupons.first)
      #expect(coupon.discountPercent == 15)
      #expect(coupon.validUntil.date == loyalty.clock.now().addingTimeInterval(30 * 86_400))

      var program = try await loyalty.client.getTierProgram(.init()).program
      program.frequentCustomerPurchases = 0
      _ = try await loyalty.client.setTierProgram(.with { $0.program = program })
      try await loyalty.deliver(loyalty.purchase("bob", order: "o-1", amountMinor: 1_000))
      let rare = await rpcError {
        _ = try await loyalty.client.issueCoupon(
          .with {
            $0.customerID = "bob"
            $0.discountPercent = 20
            $0.validFor = days(14)
            $0.idempotencyKey.key = "x-1"
          })
      }
      #expect(rare?.code == .failedPrecondition)
    }
  }

  @Test("values out of range are INVALID_ARGUMENT naming the field")
  func outOfRange() async throws {
    try await LoyaltyHarness.run { loyalty in
      var rules = try await loyalty.client.getEarningRules(.init()).rules
      rules.comebackCouponDiscountPercent = 101
      var error = await rpcError {
        _ = try await loyalty.client.setEarningRules(.with { $0.rules = rules })
      }
      #expect(error?.message.hasPrefix("rules.comeback_coupon_discount_percent:") == true)
      rules.comebackCouponDiscountPercent = 15
      rules.comebackCouponValidity = days(367)
      error = await rpcError {
        _ = try await loyalty.client.setEarningRules(.with { $0.rules = rules })
      }
      #expect(error?.message.hasPrefix("rules.comeback_coupon_validity:") == true)
      var program = try await loyalty.client.getTierProgram(.init()).program
      program.frequentCustomerPurchases = -1
      error = await rpcError {
        _ = try await loyalty.client.setTierProgram(.with { $0.program = program })
      }
      #expect(error?.code == .invalidArgument)
      #expect(error?.message.hasPrefix("program.frequent_customer_purchases:") == true)
    }
  }
}
