import Contracts
import Foundation
import GRDB
import GRPCCore
import ServiceKit
import ServiceKitTesting
import Testing
import Trust

/// The real executables on loopback: trust-service asking the real segmentation-service.
@Suite("Trust: the trust-service executable")
struct TrustProcessTests {
  @Test("trust-service verifies a review against segmentation-service and reports its outbox")
  func verifiesAgainstSegmentationAndReportsOutbox() async throws {
    let segmentation = try await ServiceProcess("segmentation-service", dataDirectory: try makeTemporaryDirectory())
    // Nothing listens where trust's event consumers are said to be, so its outbox stays pending.
    let trust = try await ServiceProcess(
      "trust-service", dataDirectory: try makeTemporaryDirectory(),
      arguments: [
        "--segmentation-addr", "127.0.0.1:\(segmentation.port)", "--feedback-addr", "127.0.0.1:1",
        "--loyalty-addr", "127.0.0.1:1",
      ])
    let customerID = try await segmentation.withClient { client in
      let service = Crm_Segmentation_V1_SegmentationService.Client(wrapping: client)
      let customer = try await service.createCustomer(.with {
        $0.customer.type = .individual
        $0.customer.displayName = "Han Mei"
      }).customer
      _ = try await service.recordPurchase(.with {
        $0.purchase.orderID = "o-77"
        $0.purchase.customerID = customer.customerID
        $0.purchase.purchaseTime = .init(date: Date())
        $0.purchase.channel = "store"
        $0.purchase.amount = .with { $0.amountMinor = 5_000; $0.currency = "CNY" }
        $0.purchase.items = [.with { $0.productID = "p-kettle"; $0.category = "kitchen"; $0.quantity = 1; $0.amountMinor = 5_000 }]
      })
      return customer.customerID
    }
    try await trust.withClient { client in
      let service = Crm_Trust_V1_TrustService.Client(wrapping: client)
      let review = try await service.createReview(.with {
        $0.review = .with { $0.customerID = customerID; $0.productID = "p-kettle"; $0.rating = 1; $0.text = "Leaks." }
      }).review
      #expect(review.verified)
      _ = try await service.moderateReview(.with { $0.reviewID = review.reviewID; $0.decision = .publish })
      // A claim's window is read from segmentation's record of the order.
      let claim = try await service.fileClaim(.with {
        $0.customerID = customerID; $0.guaranteeID = "seven-day-return"; $0.orderID = "o-77"
        $0.reason = "Leaks from the base."; $0.idempotencyKey.key = "claim-o-77"
      }).claim
      #expect(claim.orderAmount.amountMinor == 5_000)

      let status = try await Crm_Events_V1_Outbox.Client(wrapping: client).getOutboxStatus(.init())
      let recorded = Dictionary(uniqueKeysWithValues: status.destinations.map { ($0.destination, $0.pending + $0.delivered + $0.rejected) })
      #expect(recorded["feedback"] == 1)
      #expect(recorded["segmentation"] == 1)
    }
    _ = await trust.terminate()
    _ = await segmentation.terminate()
  }
}
