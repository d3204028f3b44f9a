import Contracts
import GRPCCore
import GRPCInProcessTransport
import Logging
import ServiceKit
import ServiceKitTesting
import Testing
import Trust

@Suite("Trust: reviews through the gRPC client")
struct ReviewTests {
  typealias Client = Crm_Trust_V1_TrustService.Client<InProcessTransport.Client>

  func withService(_ body: (Client) async throws -> Void) async throws {
    try await TrustHarness.run { harness in try await body(harness.client) }
  }

  static let review = Crm_Trust_V1_Review.with {
    $0.customerID = "c1"
    $0.productID = "p-phone"
    $0.rating = 4
    $0.title = "Solid"
    $0.text = "Battery lasts two days."
    $0.orderID = "o-1"
  }

  @Test("create then get; a new review waits for moderation")
  func createAndGet() async throws {
    try await withService { client in
      let created = try await client.createReview(.with { $0.review = Self.review }).review
      #expect(created.status == .pending)
      let fetched = try await client.getReview(.with { $0.reviewID = created.reviewID }).review
      #expect(fetched == created)
    }
  }

  @Test("a second review of the same product by the same customer is ALREADY_EXISTS")
  func oneReviewPerProduct() async throws {
    try await withService { client in
      _ = try await client.createReview(.with { $0.review = Self.review })
      let error = await #expect(throws: RPCError.self) { try await client.createReview(.with { $0.review = Self.review }) }
      #expect(error?.code == .alreadyExists)
      // Another product is fine.
      var other = Self.review
      other.productID = "p-case"
      _ = try await client.createReview(.with { $0.review = other })
    }
  }

  @Test("a retry with the same idempotency key returns the first review, not ALREADY_EXISTS")
  func idempotentRetry() async throws {
    try await withService { client in
      let request = Crm_Trust_V1_CreateReviewRequest.with {
        $0.review = Self.review
        $0.idempotencyKey.key = "rev-1"
      }
      let first = try await client.createReview(request).review
      let again = try await client.createReview(request).review
      #expect(first.reviewID == again.reviewID)
    }
  }

  static func broken(_ field: String) -> Crm_Trust_V1_Review {
    var review = review
    switch field {
    case "review.rating": review.rating = 0
    case "review.text": review.text = " "
    case "review.product_id": review.productID = ""
    case "review.customer_id": review.customerID = ""
    case "review.photo_refs": review.photoRefs = (0..<10).map { "photos/\($0).jpg" }
    case "review.photo_refs[1]": review.photoRefs = ["photos/a.jpg", String(repeating: "x", count: 513)]
    case "review.title": review.title = String(repeating: "t", count: 201)
    default: Issue.record("no way to break \(field)")
    }
    return review
  }

  @Test("bad input names the field", arguments: [
    "review.rating", "review.text", "review.product_id", "review.customer_id", "review.photo_refs",
    "review.photo_refs[1]", "review.title",
  ])
  func badInput(field: String) async throws {
    try await withService { client in
      let review = Self.broken(field)
      let error = await #expect(throws: RPCError.self) { try await client.createReview(.with { $0.review = review }) }
      #expect(error?.code == .invalidArgument)
      #expect(error?.message.hasPrefix("\(field):") == true)
    }
  }

  @Test("rating 6 is rejected too")
  func ratingSix() async throws {
    try await withService { client in
      var review = Self.review
      review.rating = 6
      let error = await #expect(throws: RPCError.self) { try await client.createReview(.with { $0.review = review }) }
      #expect(error?.code == .invalidArgument)
    }
  }

  @Test("photos within the bounds are kept, in order")
  func photosKept() async throws {
    try await withService { client in
      var review = Self.review
      review.photoRefs = (0..<9).map { "photos/\($0).jpg" }
      let created = try await client.createReview(.with { $0.review = review }).review
      #expect(created.photoRefs == review.photoRefs)
      #expect(try await client.getReview(.with { $0.reviewID = created.reviewID }).review.photoRefs == review.photoRefs)
    }
  }

  @Test("editing a published review sends it back to moderation and out of the summary")
  func editSendsBackToModeration() async throws {
    try await TrustHarness.run { harness in
      let published = try await harness.publishedReview(customer: "c1", rating: 5)
      #expect(published.status == .published)
      #expect(try await harness.client.getProductSummary(.with { $0.productID = "p-phone" }).summary.reviewCount == 1)

      // When the author edits it
      harness.clock.advance(by: 60)
      let edited = try await harness.client.editReview(.with {
        $0.reviewID = published.reviewID
        $0.customerID = "c1"
        $0.rating = 2
        $0.text = "Broke after a week."
      }).review

      // Then it waits for moderation again and no longer counts or shows
      #expect(edited.status == .pending)
      #expect(edited.rating == 2)
      #expect(!edited.hasPublishTime)
      #expect(try await harness.client.getProductSummary(.with { $0.productID = "p-phone" }).summary.reviewCount == 0)
      let listedAfterEdit = try await harness.client.listReviews(.with { $0.productID = "p-phone" })
      #expect(listedAfterEdit.reviews.isEmpty)
    }
  }

  @Test("only the author may edit; an unknown review is NOT_FOUND")
  func editChecks() async throws {
    try await withService { client in
      let created = try await client.createReview(.with { $0.review = Self.review }).review
      let other = await #expect(throws: RPCError.self) {
        try await client.editReview(.with {
          $0.reviewID = created.reviewID; $0.customerID = "c2"; $0.rating = 1; $0.text = "x"
        })
      }
      #expect(other?.code == .failedPrecondition)
      let missing = await #expect(throws: RPCError.self) {
        try await client.editReview(.with { $0.reviewID = "nope"; $0.customerID = "c1"; $0.rating = 1; $0.text = "x" })
      }
      #expect(missing?.code == .notFound)
      let bad = await #expect(throws: RPCError.self) {
        try await client.editReview(.with { $0.reviewID = created.reviewID; $0.customerID = "c1"; $0.rating = 0; $0.text = "x" })
      }
      #expect(bad?.message.hasPrefix("rating:") == true)
    }
  }

  @Test("deleting a review removes it; the customer may then review the product again")
  func deleteReview() async throws {
    try await withService { client in
      let created = try await client.createReview(.with { $0.review = Self.review }).review
      _ = try await client.deleteReview(.with { $0.reviewID = created.reviewID })
      let error = await #expect(throws: RPCError.self) { try await client.getReview(.with { $0.reviewID = created.reviewID }) }
      #expect(error?.code == .notFound)
      _ = try await client.createReview(.with { $0.review = Self.review })
    }
  }
}
