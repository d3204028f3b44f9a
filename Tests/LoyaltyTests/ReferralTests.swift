import Contracts
import Foundation
import GRPCCore
import Testing

@Suite("Loyalty: referral codes, rewarded on the referred's first purchase, once")
struct ReferralTests {
  @Test("both sides earn the referral reward on the first purchase only")
  func referral() async throws {
    try await LoyaltyHarness.run { loyalty in
      // Given alice's code, used by bob before he buys
      try await loyalty.earn("alice", 10)
      let code = try await loyalty.client.getReferralCode(.with { $0.customerID = "alice" }).code
      #expect(try await loyalty.client.getReferralCode(.with { $0.customerID = "alice" }).code == code)
      let used = try await loyalty.client.useReferralCode(.with { $0.customerID = "bob"; $0.code = code })
      #expect(used.referrerCustomerID == "alice")
      let own = await rpcError {
        _ = try await loyalty.client.useReferralCode(.with { $0.customerID = "alice"; $0.code = code })
      }
      #expect(own?.code == .failedPrecondition)
      let unknown = await rpcError {
        _ = try await loyalty.client.useReferralCode(.with { $0.customerID = "carol"; $0.code = "RNOPE" })
      }
      #expect(unknown?.code == .notFound)

      // When bob buys twice
      try await loyalty.deliver(loyalty.purchase("bob", order: "o-1", amountMinor: 10_000, firstPurchase: true))
      try await loyalty.deliver(loyalty.purchase("bob", order: "o-2", amountMinor: 10_000))

      // Then 200 each, once: bob 100 + 100 + 200, alice 10 + 200
      #expect(try await loyalty.account("bob").balance == 400)
      #expect(try await loyalty.account("alice").balance == 210)
      try await loyalty.expectInvariant("alice")
      try await loyalty.expectInvariant("bob")

      // A customer who bought already cannot be referred any more
      let late = await rpcError {
        _ = try await loyalty.client.useReferralCode(.with { $0.customerID = "bob"; $0.code = "R0" })
      }
      #expect(late?.code == .notFound)
      try await loyalty.deliver(loyalty.purchase("dave", order: "o-3", amountMinor: 100))
      let bought = await rpcError {
        _ = try await loyalty.client.useReferralCode(.with { $0.customerID = "dave"; $0.code = code })
      }
      #expect(bought?.code == .failedPrecondition)
    }
  }
}
