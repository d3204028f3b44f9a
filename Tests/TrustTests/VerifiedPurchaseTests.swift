import Contracts
import Foundation
import GRPCCore
import ServiceKit
import ServiceKitTesting
import Testing
import Trust

@Suite("Trust: verified purchase")
struct VerifiedPurchaseTests {
  static func review(customer: String = "c1", product: String = "p-phone") -> Crm_Trust_V1_CreateReviewRequest {
    .with {
      $0.review = .with {
        $0.customerID = customer
        $0.productID = product
        $0.rating = 5
        $0.text = "Exactly as described."
      }
    }
  }

  @Test("verified only when the purchase records confirm the purchase, asked every time")
  func verifiedWhenBought() async throws {
    let purchases = FakePurchaseRecords()
    purchases.buy(customer: "c1", product: "p-phone")
    try await TrustHarness.run(purchases: purchases) { harness in
      let boughtIsVerified = try await harness.client.createReview(Self.review()).review.verified
      #expect(boughtIsVerified == true)
      let notBoughtIsVerified = try await harness.client.createReview(Self.review(customer: "c2")).review.verified
      #expect(notBoughtIsVerified == false)
      #expect(purchases.checks == 2)
    }
  }

  @Test("a verified-only store refuses an unconfirmed purchase with FAILED_PRECONDITION and writes nothing")
  func verifiedOnlyRefuses() async throws {
    let purchases = FakePurchaseRecords()
    purchases.buy(customer: "c1", product: "p-phone")
    try await TrustHarness.run(purchases: purchases, policy: ReviewPolicy(verifiedOnly: true)) { harness in
      let error = await #expect(throws: RPCError.self) { try await harness.client.createReview(Self.review(customer: "c2")) }
      #expect(error?.code == .failedPrecondition)
      let queue = try await harness.client.listModerationQueue(.init()).reviews
      #expect(queue.isEmpty)
      let buyerIsVerified = try await harness.client.createReview(Self.review()).review.verified
      #expect(buyerIsVerified == true)
    }
  }

  @Test("segmentation down: a verified-only store is UNAVAILABLE; any other store accepts the review unverified")
  func segmentationDown() async throws {
    let purchases = FakePurchaseRecords()
    purchases.buy(customer: "c1", product: "p-phone")
    purchases.setDown(true)
    try await TrustHarness.run(purchases: purchases, policy: ReviewPolicy(verifiedOnly: true)) { harness in
      let error = await #expect(throws: RPCError.self) { try await harness.client.createReview(Self.review()) }
      #expect(error?.code == .unavailable)
    }
    try await TrustHarness.run(purchases: purchases) { harness in
      let accepted = try await harness.client.createReview(Self.review()).review
      #expect(!accepted.verified)
      // The next edit asks again, and segmentation is back.
      purchases.setDown(false)
      let edited = try await harness.client.editReview(.with {
        $0.reviewID = accepted.reviewID; $0.customerID = "c1"; $0.rating = 5; $0.text = "Still good."
      }).review
      #expect(edited.verified)
    }
  }

  @Test("against the real segmentation-service: bought is verified, not bought is not")
  func realSegmentation() async throws {
    let segmentation = try await ServiceProcess("segmentation-service", dataDirectory: try makeTemporaryDirectory())
    let customerID = try await segmentation.withClient { client in
      let service = Crm_Segmentation_V1_SegmentationService.Client(wrapping: client)
      let customer = try await service.createCustomer(.with {
        $0.customer.type = .individual
        $0.customer.displayName = "Li Lei"
      }).customer
      _ = try await service.recordPurchase(.with {
        $0.purchase.orderID = "o-1"
        $0.purchase.customerID = customer.customerID
        $0.purchase.purchaseTime = .init(date: Date())
        $0.purchase.channel = "web"
        $0.purchase.amount = .with { $0.amountMinor = 99_900; $0.currency = "CNY" }
        $0.purchase.items = [.with { $0.productID = "p-phone"; $0.category = "phones"; $0.quantity = 1; $0.amountMinor = 99_900 }]
      })
      return customer.customerID
    }
    let peer = try PeerClient(
      peer: .segmentation, address: PeerAddress(host: "127.0.0.1", port: segmentation.port), timeout: .milliseconds(500))
    let directory = SegmentationDirectory(peer: peer, clock: SystemClock())
    try await withPeerConnections(peer) {
      try await TrustHarness.run(purchases: directory) { harness in
        let realBoughtIsVerified = try await harness.client.createReview(Self.review(customer: customerID)).review.verified
        #expect(realBoughtIsVerified == true)
        let realNotBoughtIsVerified = try await harness.client.createReview(Self.review(customer: customerID, product: "p-case")).review.verified
        #expect(realNotBoughtIsVerified == false)
        _ = await segmentation.terminate()
        // Down now: accepted, unverified (default store), within the deadline.
        let started = ContinuousClock.now
        let downIsVerified = try await harness.client.createReview(Self.review(customer: customerID, product: "p-cable")).review.verified
        #expect(downIsVerified == false)
        #expect(ContinuousClock.now - started < .seconds(5))
      }
    }
  }
}
