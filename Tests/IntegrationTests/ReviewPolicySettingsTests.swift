import Contracts
import Foundation
import GRPCCore
import ServiceKit
import ServiceKitTesting
import Testing

/// Trust's review policy is the operator's: the settings reach the real executable.
@Suite("Trust: review policy from settings", .serialized, .timeLimit(.minutes(2)))
struct ReviewPolicySettingsTests {
  @Test("--review-verified-only refuses a review of no purchase; --review-max-photos bounds the photos")
  func policyFromSettings() async throws {
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let segmentation = try await ServiceProcess(
      "segmentation-service", dataDirectory: directory.appendingPathComponent("segmentation"))
    let trust = try await ServiceProcess(
      "trust-service", dataDirectory: directory.appendingPathComponent("trust"),
      arguments: [
        "--segmentation-addr", "127.0.0.1:\(segmentation.port)",
        "--review-verified-only", "true", "--review-max-photos", "1",
      ])
    let customer = try await segmentation.withClient { client in
      try await Crm_Segmentation_V1_SegmentationService.Client(wrapping: client).createCustomer(.with {
        $0.customer = .with {
          $0.type = .individual
          $0.displayName = "Reviewer"
        }
        $0.idempotencyKey.key = "policy-customer"
      }).customer.customerID
    }
    try await trust.withClient { client in
      let reviews = Crm_Trust_V1_TrustService.Client(wrapping: client)
      func review(photos: Int) -> Crm_Trust_V1_CreateReviewRequest {
        .with {
          $0.review = .with {
            $0.customerID = customer
            $0.productID = "p-never-bought"
            $0.rating = 4
            $0.title = "Fine"
            $0.text = "It works."
            $0.photoRefs = (0..<photos).map { "photos/\($0).jpg" }
          }
          $0.idempotencyKey.key = "policy-review-\(photos)"
        }
      }
      // Two photos where the operator allows one: the field is named.
      let tooMany = await #expect(throws: RPCError.self) { try await reviews.createReview(review(photos: 2)) }
      #expect(tooMany?.code == .invalidArgument)
      #expect(tooMany?.message.contains("photo_refs") == true, "\(tooMany?.message ?? "")")
      // One photo is within the policy, but segmentation has no purchase of the product and the
      // store takes verified reviews only.
      let unverified = await #expect(throws: RPCError.self) { try await reviews.createReview(review(photos: 1)) }
      #expect(unverified?.code == .failedPrecondition, "\(unverified?.message ?? "")")
    }
    #expect(await trust.terminate() == 0)
    #expect(await segmentation.terminate() == 0)
  }
}
