import Contracts
import GRPCCore
import Testing

@Suite("Segmentation: refunds")
struct RefundTests {
  @Test("refunds adjust the figures once per refund id; a full refund in parts takes back all")
  func refundsAdjustOnce() async throws {
    try await SegmentationHarness.run { h in
      // Given an order of 10,000 with margin 3,333 over two categories
      let id = try await h.createCustomer("Alice")
      try await h.record(
        h.purchase(
          "o-1", customer: id, amount: 10_000, margin: 3_333, daysAgo: 2,
          items: [("p-1", "toys", 7_000), ("p-2", "books", 3_000)]))
      try await h.record(
        h.purchase(
          "o-2", customer: id, amount: 5_000, margin: 1_000, items: [("p-3", "tea", 5_000)]))
      #expect(try await h.get(id).preferredCategories == ["toys", "tea", "books"])

      // When 3,000 is refunded, and the same refund is sent again
      let first = try await h.refund("r-1", order: "o-1", amount: 3_000)
      h.clock.advance(by: 60)
      let again = try await h.refund("r-1", order: "o-1", amount: 3_000)

      // Then it counted once
      #expect(again.refund == first.refund)
      #expect(first.purchase.refundedMinor == 3_000)
      #expect(again.customer.totalSpend == .cny(12_000))
      #expect(again.customer.annualSpend == .cny(12_000))
      #expect(again.customer.totalMargin == .cny(4_333 - 999))
      #expect(again.customer.preferredCategories == ["tea", "toys", "books"])

      // When the rest is refunded in two more parts
      try await h.refund("r-2", order: "o-1", amount: 3_333)
      let last = try await h.refund("r-3", order: "o-1", amount: 3_667)
      // Then the order's whole amount and margin are gone, and it no longer counts as recent
      #expect(last.customer.totalSpend == .cny(5_000))
      #expect(last.customer.totalMargin == .cny(1_000))
      #expect(last.customer.purchasesLast3Months == 1)
      #expect(last.customer.purchaseCount == 2)
      #expect(last.customer.preferredCategories == ["tea"])
    }
  }

  @Test("refunding more than the order is FAILED_PRECONDITION and changes nothing")
  func overRefund() async throws {
    try await SegmentationHarness.run { h in
      let id = try await h.createCustomer("Alice")
      try await h.record(h.purchase("o-1", customer: id, amount: 1_000))
      try await h.refund("r-1", order: "o-1", amount: 600)
      await expectRPCError(.failedPrecondition) {
        _ = try await h.refund("r-2", order: "o-1", amount: 401)
      }
      #expect(try await h.get(id).totalSpend == .cny(400))
      // The refused refund id was not burned
      let ok = try await h.refund("r-2", order: "o-1", amount: 400)
      #expect(ok.customer.totalSpend == .cny(0))
    }
  }

  @Test("the same refund id with another body is ALREADY_EXISTS; bad input names the field")
  func conflictsAndBadInput() async throws {
    try await SegmentationHarness.run { h in
      let id = try await h.createCustomer("Alice")
      try await h.record(h.purchase("o-1", customer: id, amount: 1_000))
      try await h.refund("r-1", order: "o-1", amount: 100)
      await expectRPCError(.alreadyExists) {
        _ = try await h.refund("r-1", order: "o-1", amount: 200)
      }
      #expect(try await h.get(id).totalSpend == .cny(900))

      await expectRPCError(.notFound) { _ = try await h.refund("r-2", order: "o-404", amount: 100) }
      await expectRPCError(.invalidArgument, field: "refund.amount.currency") {
        _ = try await h.refund("r-2", order: "o-1", amount: 100, currency: "USD")
      }
      await expectRPCError(.invalidArgument, field: "refund.amount.amount_minor") {
        _ = try await h.refund("r-2", order: "o-1", amount: 0)
      }
      await expectRPCError(.invalidArgument, field: "refund.refund_id") {
        _ = try await h.refund("", order: "o-1", amount: 1)
      }
      await expectRPCError(.invalidArgument, field: "refund.order_id") {
        _ = try await h.refund("r-3", order: "", amount: 1)
      }
    }
  }
}
