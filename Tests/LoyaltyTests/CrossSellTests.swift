import Contracts
import Foundation
import GRPCCore
import Testing

@Suite("Loyalty: cross-sell from associations and co-purchases")
struct CrossSellTests {
  @Test("associations come first, then products bought together, most often first")
  func related() async throws {
    try await LoyaltyHarness.run { loyalty in
      // Given orders: phone+case twice, phone+charger once; and an operator association
      try await loyalty.deliver(loyalty.purchase("a", order: "o-1", amountMinor: 1_000, items: [("phone", "x", 500), ("case", "x", 500)]))
      try await loyalty.deliver(loyalty.purchase("b", order: "o-2", amountMinor: 1_000, items: [("phone", "x", 500), ("case", "x", 500)]))
      try await loyalty.deliver(loyalty.purchase("c", order: "o-3", amountMinor: 1_000, items: [("phone", "x", 500), ("charger", "x", 500)]))
      _ = try await loyalty.client.setProductAssociations(.with {
        $0.productID = "phone"
        $0.relatedProductIds = ["insurance", "case"]
      })

      // For a product
      let forPhone = try await loyalty.client.listRelatedProducts(.with { $0.productID = "phone" }).products
      #expect(forPhone.map(\.productID) == ["insurance", "case", "charger"])
      #expect(forPhone.map(\.source) == ["association", "association", "co_purchase"])
      #expect(forPhone.last?.coPurchases == 1)

      // For a customer, leaving out what they bought
      let forC = try await loyalty.client.listRelatedProducts(.with { $0.customerID = "c" }).products
      #expect(forC.map(\.productID) == ["insurance", "case"])

      let both = await rpcError {
        _ = try await loyalty.client.listRelatedProducts(.with { $0.productID = "p"; $0.customerID = "c" })
      }
      #expect(both?.code == .invalidArgument)
      let itself = await rpcError {
        _ = try await loyalty.client.setProductAssociations(.with { $0.productID = "p"; $0.relatedProductIds = ["p"] })
      }
      #expect(itself?.message.hasPrefix("related_product_ids:") == true)
    }
  }
}
