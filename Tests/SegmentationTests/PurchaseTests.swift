import Contracts
import Foundation
import GRPCCore
import SwiftProtobuf
import Testing

@Suite("Segmentation: purchases and the figures they move")
struct PurchaseTests {
  @Test("a purchase is recorded and moves every figure in the same call")
  func recordMovesFigures() async throws {
    try await SegmentationHarness.run { h in
      // Given a profile
      let id = try await h.createCustomer("Alice")
      let before = try await h.get(id)
      #expect(!before.hasTotalSpend && !before.hasFirstPurchaseTime && before.purchaseCount == 0)

      // When two purchases arrive, an old one and a recent one
      try await h.record(
        h.purchase(
          "o-1", customer: id, amount: 50_000, margin: 10_000, daysAgo: 200,
          items: [("p-1", "toys", 20_000), ("p-2", "books", 30_000)]))
      let response = try await h.record(
        h.purchase(
          "o-2", customer: id, amount: 12_000, margin: 3_000, daysAgo: 5,
          items: [("p-3", "toys", 11_000), ("p-4", "snacks", 500), ("p-5", "tea", 500)]))

      // Then the purchase and the profile's figures are current
      #expect(response.purchase.orderID == "o-2")
      #expect(response.purchase.recordTime.date == h.clock.now())
      let customer = response.customer
      #expect(customer.totalSpend == .cny(62_000))
      #expect(customer.annualSpend == .cny(62_000))
      #expect(customer.totalMargin == .cny(13_000))
      #expect(customer.purchasesLast3Months == 1)
      #expect(customer.purchaseCount == 2)
      #expect(customer.firstPurchaseTime.date == h.clock.now().addingTimeInterval(-200 * 86_400))
      #expect(customer.lastPurchaseTime.date == h.clock.now().addingTimeInterval(-5 * 86_400))
      #expect(customer.preferredCategories == ["toys", "books", "snacks"])
      #expect(try await h.get(id) == customer)
    }
  }

  @Test("windowed figures move with the injected clock, without any write")
  func windowsFollowTheClock() async throws {
    try await SegmentationHarness.run { h in
      let id = try await h.createCustomer("Alice")
      try await h.record(h.purchase("o-1", customer: id, amount: 1_000, daysAgo: 0))
      try await h.record(h.purchase("o-2", customer: id, amount: 2_000, daysAgo: 80))
      #expect(try await h.get(id).purchasesLast3Months == 2)
      #expect(try await h.get(id).annualSpend == .cny(3_000))

      h.clock.advance(by: 30 * 86_400)  // o-2 is now 110 days old
      #expect(try await h.get(id).purchasesLast3Months == 1)
      #expect(try await h.get(id).annualSpend == .cny(3_000))

      h.clock.advance(by: 300 * 86_400)  // o-2 is 410 days old, o-1 330
      let later = try await h.get(id)
      #expect(later.purchasesLast3Months == 0)
      #expect(later.annualSpend == .cny(1_000))
      #expect(later.totalSpend == .cny(3_000))
    }
  }

  @Test(
    "the same order twice counts once and returns the first purchase; another body is ALREADY_EXISTS"
  )
  func orderIdempotency() async throws {
    try await SegmentationHarness.run { h in
      let id = try await h.createCustomer("Alice")
      let purchase = h.purchase("o-1", customer: id, amount: 5_000, margin: 1_000)
      let first = try await h.record(purchase)
      h.clock.advance(by: 60)

      // Output-only fields sent by the caller do not make it another body
      var resent = purchase
      resent.refundedMinor = 99
      resent.recordTime = Google_Protobuf_Timestamp(date: Date())
      let again = try await h.record(resent)
      #expect(again.purchase == first.purchase)
      #expect(again.customer.totalSpend == .cny(5_000))
      #expect(again.customer.purchaseCount == 1)

      var changed = purchase
      changed.amount = .cny(6_000)
      await expectRPCError(.alreadyExists) { _ = try await h.record(changed) }
      let customer = try await h.get(id)
      #expect(customer.totalSpend == .cny(5_000) && customer.purchaseCount == 1)
    }
  }

  @Test("a failed purchase does not burn its order id")
  func failureDoesNotBurnOrderID() async throws {
    try await SegmentationHarness.run { h in
      await expectRPCError(.notFound) {
        _ = try await h.record(h.purchase("o-1", customer: "nobody", amount: 100))
      }
      let id = try await h.createCustomer("Alice")
      let recorded = try await h.record(h.purchase("o-1", customer: id, amount: 100))
      #expect(recorded.customer.totalSpend == .cny(100))
    }
  }

  @Test("a profile keeps its figures in one currency")
  func oneCurrency() async throws {
    try await SegmentationHarness.run { h in
      let id = try await h.createCustomer("Alice")
      try await h.record(h.purchase("o-1", customer: id, amount: 100))
      await expectRPCError(.failedPrecondition) {
        _ = try await h.record(h.purchase("o-2", customer: id, amount: 100, currency: "USD"))
      }
      #expect(try await h.get(id).purchaseCount == 1)
    }
  }

  @Test(
    "bad purchases are INVALID_ARGUMENT naming the field",
    arguments: [
      "purchase.order_id", "purchase.customer_id", "purchase.amount.currency",
      "purchase.amount.amount_minor", "purchase.margin_minor", "purchase.purchase_time",
      "purchase.items", "purchase.items[0].product_id", "purchase.items[0].category",
      "purchase.items[0].quantity", "purchase.items[0].amount_minor", "purchase.channel",
    ])
  func badPurchase(field: String) async throws {
    try await SegmentationHarness.run { h in
      let id = try await h.createCustomer("Alice")
      var p = h.purchase("o-1", customer: id, amount: 1_000)
      switch field {
      case "purchase.order_id": p.orderID = "has space"
      case "purchase.customer_id": p.customerID = ""
      case "purchase.amount.currency": p.amount.currency = "cny"
      case "purchase.amount.amount_minor": p.amount.amountMinor = -1
      case "purchase.margin_minor": p.marginMinor = 1_001
      case "purchase.purchase_time":
        p.purchaseTime = Google_Protobuf_Timestamp(date: h.clock.now().addingTimeInterval(3600))
      case "purchase.items": p.items = []
      case "purchase.items[0].product_id": p.items[0].productID = ""
      case "purchase.items[0].category": p.items[0].category = " "
      case "purchase.items[0].quantity": p.items[0].quantity = 0
      case "purchase.items[0].amount_minor": p.items[0].amountMinor = -5
      case "purchase.channel": p.channel = ""
      default: Issue.record("no way to break \(field)")
      }
      await expectRPCError(.invalidArgument, field: field) { _ = try await h.record(p) }
      #expect(try await h.get(id).purchaseCount == 0)
    }
  }

  @Test("CheckPurchase: bought, not bought, fully refunded, unknown customer")
  func checkPurchase() async throws {
    try await SegmentationHarness.run { h in
      let id = try await h.createCustomer("Alice")
      try await h.record(
        h.purchase("o-1", customer: id, amount: 1_000, daysAgo: 3, items: [("p-1", "toys", 1_000)]))
      try await h.record(
        h.purchase("o-2", customer: id, amount: 500, daysAgo: 1, items: [("p-2", "toys", 500)]))

      let bought = try await h.client.checkPurchase(
        .with {
          $0.customerID = id
          $0.productID = "p-1"
        })
      #expect(bought.purchased && bought.orderID == "o-1")
      #expect(bought.purchaseTime.date == h.clock.now().addingTimeInterval(-3 * 86_400))
      #expect(
        try await h.client.checkPurchase(
          .with {
            $0.customerID = id
            $0.productID = "p-9"
          }
        ).purchased == false)

      try await h.refund("r-1", order: "o-2", amount: 500)
      #expect(
        try await h.client.checkPurchase(
          .with {
            $0.customerID = id
            $0.productID = "p-2"
          }
        ).purchased == false)

      await expectRPCError(.notFound) {
        _ = try await h.client.checkPurchase(
          .with {
            $0.customerID = "nope"
            $0.productID = "p-1"
          })
      }
      await expectRPCError(.invalidArgument, field: "product_id") {
        _ = try await h.client.checkPurchase(.with { $0.customerID = id })
      }
    }
  }
}
