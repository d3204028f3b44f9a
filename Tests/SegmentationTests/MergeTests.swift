import Contracts
import GRPCCore
import Testing

@Suite("Segmentation: merging two profiles of one person")
struct MergeTests {
  @Test("the survivor takes identities, purchases, tags and figures; the merged id redirects")
  func mergeMovesEverything() async throws {
    try await SegmentationHarness.run { h in
      // Given two profiles of one person, each with an identity, a purchase and tags
      let survivor = try await h.createCustomer("Alice", tags: ["vip"])
      let merged = try await h.createCustomer("Alice W.", tags: ["parenting", "vip"])
      try await h.client.linkIdentity(
        .with {
          $0.customerID = survivor
          $0.identity = h.identity(.appAccount, "app-1")
        })
      try await h.client.linkIdentity(
        .with {
          $0.customerID = merged
          $0.identity = h.identity(.storeCard, "card-1")
        })
      try await h.record(
        h.purchase(
          "o-1", customer: survivor, amount: 10_000, margin: 2_000, daysAgo: 10,
          items: [("p-1", "toys", 10_000)]))
      try await h.record(
        h.purchase(
          "o-2", customer: merged, amount: 30_000, margin: 5_000, daysAgo: 400,
          items: [("p-2", "books", 30_000)]))

      // When they are merged
      let result = try await h.client.mergeCustomers(
        .with {
          $0.survivorCustomerID = survivor
          $0.mergedCustomerID = merged
        }
      ).customer

      // Then the survivor holds everything
      #expect(result.customerID == survivor)
      #expect(result.displayName == "Alice")
      #expect(result.tags == ["parenting", "vip"])
      #expect(result.identities.map(\.externalID) == ["card-1", "app-1"])
      #expect(result.totalSpend == .cny(40_000))
      #expect(result.totalMargin == .cny(7_000))
      #expect(result.annualSpend == .cny(10_000))
      #expect(result.purchaseCount == 2)
      #expect(result.preferredCategories == ["books", "toys"])
      #expect(result.firstPurchaseTime.date == h.clock.now().addingTimeInterval(-400 * 86_400))
      #expect(result.mergedCustomerIds == [merged])

      // And the merged id keeps resolving to the survivor, with the redirect shown
      let redirected = try await h.client.getCustomer(.with { $0.customerID = merged })
      #expect(redirected.customer == result)
      #expect(redirected.mergedCustomerID == merged)
      #expect(
        try await h.client.getCustomer(.with { $0.customerID = survivor }).mergedCustomerID == "")
      let resolved = try await h.client.resolveIdentity(
        .with { $0.identity = h.identity(.storeCard, "card-1") })
      #expect(resolved.customer.customerID == survivor)
      let bought = try await h.client.checkPurchase(
        .with {
          $0.customerID = merged
          $0.productID = "p-2"
        })
      #expect(bought.purchased && bought.orderID == "o-2")

      // And a purchase sent with the merged id lands on the survivor
      let later = try await h.record(h.purchase("o-3", customer: merged, amount: 1_000))
      #expect(later.purchase.customerID == survivor)
      #expect(later.customer.totalSpend == .cny(41_000))

      // And the merged profile is gone from lists
      let listed = try await h.client.listCustomers(.init()).customers.map(\.customerID)
      #expect(listed == [survivor])
    }
  }

  @Test("merging into itself or with an already merged profile is FAILED_PRECONDITION")
  func forbiddenMerges() async throws {
    try await SegmentationHarness.run { h in
      let a = try await h.createCustomer("A")
      let b = try await h.createCustomer("B")
      let c = try await h.createCustomer("C")
      await expectRPCError(.failedPrecondition) {
        _ = try await h.client.mergeCustomers(
          .with {
            $0.survivorCustomerID = a
            $0.mergedCustomerID = a
          })
      }
      try await h.client.mergeCustomers(
        .with {
          $0.survivorCustomerID = a
          $0.mergedCustomerID = b
        })
      await expectRPCError(.failedPrecondition) {
        _ = try await h.client.mergeCustomers(
          .with {
            $0.survivorCustomerID = b
            $0.mergedCustomerID = c
          })
      }
      await expectRPCError(.failedPrecondition) {
        _ = try await h.client.mergeCustomers(
          .with {
            $0.survivorCustomerID = c
            $0.mergedCustomerID = b
          })
      }
      await expectRPCError(.notFound) {
        _ = try await h.client.mergeCustomers(
          .with {
            $0.survivorCustomerID = a
            $0.mergedCustomerID = "nope"
          })
      }
      await expectRPCError(.invalidArgument, field: "merged_customer_id") {
        _ = try await h.client.mergeCustomers(.with { $0.survivorCustomerID = a })
      }
      #expect(try await h.get(c).mergedCustomerIds.isEmpty)
    }
  }

  @Test("a chain of merges stays one hop; a refused merge writes nothing")
  func chainsAndAtomicity() async throws {
    try await SegmentationHarness.run { h in
      // Given B merged into A, then A merged into C
      let a = try await h.createCustomer("A", tags: ["a"])
      let b = try await h.createCustomer("B")
      let c = try await h.createCustomer("C")
      try await h.client.mergeCustomers(
        .with {
          $0.survivorCustomerID = a
          $0.mergedCustomerID = b
        })
      try await h.client.mergeCustomers(
        .with {
          $0.survivorCustomerID = c
          $0.mergedCustomerID = a
        })
      // Then B resolves straight to C
      #expect(try await h.client.getCustomer(.with { $0.customerID = b }).customer.customerID == c)
      #expect(try await h.get(c).mergedCustomerIds.sorted() == [a, b].sorted())

      // Given a profile with figures in another currency
      let d = try await h.createCustomer("D", tags: ["d"])
      try await h.client.linkIdentity(
        .with {
          $0.customerID = d
          $0.identity = h.identity(.storeCard, "card-d")
        })
      try await h.record(h.purchase("o-c", customer: c, amount: 100))
      try await h.record(h.purchase("o-d", customer: d, amount: 100, currency: "USD"))
      // When merging is refused
      await expectRPCError(.failedPrecondition) {
        _ = try await h.client.mergeCustomers(
          .with {
            $0.survivorCustomerID = c
            $0.mergedCustomerID = d
          })
      }
      // Then neither profile changed
      let dAfter = try await h.get(d)
      #expect(
        dAfter.tags == ["d"] && dAfter.identities.count == 1 && dAfter.totalSpend.currency == "USD")
      #expect(try await h.get(c).tags == ["a"])
    }
  }

  @Test("with an idempotency key a retried merge replays its result")
  func idempotentMerge() async throws {
    try await SegmentationHarness.run { h in
      let a = try await h.createCustomer("A")
      let b = try await h.createCustomer("B")
      let request = Crm_Segmentation_V1_MergeCustomersRequest.with {
        $0.survivorCustomerID = a
        $0.mergedCustomerID = b
        $0.idempotencyKey.key = "merge-1"
      }
      let first = try await h.client.mergeCustomers(request)
      #expect(try await h.client.mergeCustomers(request) == first)
    }
  }
}
