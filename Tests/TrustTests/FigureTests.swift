import Contracts
import Foundation
import GRPCCore
import ServiceKit
import Testing
import Trust

@Suite("Trust: figures between two dates")
struct FigureTests {
  @Test("ratings, verified share, volume, claim counts, approval rate and median time to settle")
  func figures() async throws {
    let purchases = ClaimTests.purchases()
    purchases.buy(customer: "c1", product: "p-phone")
    for n in 3...5 {
      purchases.record(.with {
        $0.orderID = "o-\(n)"; $0.customerID = "c1"; $0.purchaseTime = .init(date: ManualClock().now())
        $0.amount = .with { $0.amountMinor = 1_000; $0.currency = "CNY" }
      })
    }
    try await TrustHarness.run(purchases: purchases) { harness in
      let start = harness.clock.now()
      try await harness.publishedReview(customer: "c1", rating: 5)
      try await harness.publishedReview(customer: "c2", rating: 2)
      _ = try await harness.client.createReview(.with {
        $0.review = .with { $0.customerID = "c3"; $0.productID = "p-phone"; $0.rating = 1; $0.text = "pending" }
      })
      // Three claims: settled after 2 h and after 6 h, one rejected.
      func advance(_ id: String, _ status: Crm_Trust_V1_ClaimStatus, note: String = "") async throws {
        _ = try await harness.client.advanceClaim(.with {
          $0.claimID = id; $0.status = status; $0.note = note
          if status == .settled { $0.settledAmount = .with { $0.amountMinor = 1_000; $0.currency = "CNY" } }
        })
      }
      var ids: [String] = []
      for n in 3...5 { ids.append(try await ClaimTests.file(harness, order: "o-\(n)").claimID) }
      for id in ids { try await advance(id, .underReview) }
      try await advance(ids[0], .approved)
      try await advance(ids[1], .approved)
      try await advance(ids[2], .rejected, note: "worn")
      harness.clock.advance(by: 2 * 3600)
      try await advance(ids[0], .settled)
      harness.clock.advance(by: 4 * 3600)
      try await advance(ids[1], .settled)

      let figures = try await harness.client.getTrustFigures(.with {
        $0.from = .init(date: start)
        $0.to = .init(date: harness.clock.now().addingTimeInterval(1))
      })
      #expect(figures.reviewsSubmitted == 3)
      #expect(figures.reviewsPublished == 2)
      #expect(figures.averageRating == 3.5)
      #expect(figures.verifiedShare == 0.5)
      #expect(figures.claimsFiled == 3)
      #expect(figures.claimsApproved == 2 && figures.claimsRejected == 1)
      #expect(abs(figures.approvalRate - 2.0 / 3.0) < 1e-9)
      #expect(figures.claimsSettled == 2)
      #expect(figures.medianHoursToSettle == 4)
      #expect(figures.claimsResponded == 3 && figures.responseMetShare == 1)

      // A period before anything happened is all zeros.
      let empty = try await harness.client.getTrustFigures(.with {
        $0.from = .init(date: start.addingTimeInterval(-7200)); $0.to = .init(date: start.addingTimeInterval(-3600))
      })
      #expect(empty.reviewsSubmitted == 0 && empty.claimsFiled == 0 && empty.medianHoursToSettle == 0)
      let backwards = await #expect(throws: RPCError.self) {
        try await harness.client.getTrustFigures(.with { $0.from = .init(date: start); $0.to = .init(date: start) })
      }
      #expect(backwards?.message.hasPrefix("to:") == true)
    }
  }
}
