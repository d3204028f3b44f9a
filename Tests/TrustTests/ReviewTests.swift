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
    let database = try StoreOpener.inMemory(migrator: TrustStore.migrator)
    let service = TrustService(store: TrustStore(database: database), clock: ManualClock(), logger: Logger(label: "test"))
    try await withInProcessServer([service]) { client in try await body(Client(wrapping: client)) }
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
    default: Issue.record("no way to break \(field)")
    }
    return review
  }

  @Test("bad input names the field", arguments: ["review.rating", "review.text", "review.product_id", "review.customer_id"])
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
}
