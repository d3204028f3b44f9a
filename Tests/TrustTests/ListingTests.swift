import Contracts
import Foundation
import GRDB
import GRPCCore
import ServiceKit
import Testing

@testable import Trust

@Suite("Trust: listing a product's reviews")
struct ListingTests {
  /// Five published reviews of p-phone, one a minute: ratings 3, 5, 1, 5, 4; c1 and c3
  /// verified; c2 and c4 with photos.
  static func seed(_ harness: TrustHarness, purchases: FakePurchaseRecords) async throws -> [Crm_Trust_V1_Review] {
    purchases.buy(customer: "c1", product: "p-phone")
    purchases.buy(customer: "c3", product: "p-phone")
    var reviews: [Crm_Trust_V1_Review] = []
    for (n, rating) in [3, 5, 1, 5, 4].enumerated() {
      harness.clock.advance(by: 60)
      reviews.append(try await harness.publishedReview(
        customer: "c\(n)", rating: Int32(rating), photos: n % 2 == 0 ? [] : ["photos/\(n).jpg"]))
    }
    // An unpublished review never shows.
    _ = try await harness.client.createReview(.with {
      $0.review = .with { $0.customerID = "c9"; $0.productID = "p-phone"; $0.rating = 5; $0.text = "pending" }
    })
    return reviews
  }

  func list(_ harness: TrustHarness, _ configure: (inout Crm_Trust_V1_ListReviewsRequest) -> Void) async throws -> [String] {
    var request = Crm_Trust_V1_ListReviewsRequest.with { $0.productID = "p-phone" }
    configure(&request)
    return try await harness.client.listReviews(request).reviews.map(\.customerID)
  }

  @Test("sorted by newest, rating or helpfulness; filtered by rating, verified and photos")
  func sortsAndFilters() async throws {
    let purchases = FakePurchaseRecords()
    try await TrustHarness.run(purchases: purchases) { harness in
      let reviews = try await Self.seed(harness, purchases: purchases)
      #expect(try await list(harness) { _ in } == ["c4", "c3", "c2", "c1", "c0"])
      #expect(try await list(harness) { $0.sort = .rating } == ["c3", "c1", "c4", "c0", "c2"])
      _ = try await harness.client.voteHelpful(.with { $0.reviewID = reviews[0].reviewID; $0.customerID = "v1" })
      _ = try await harness.client.voteHelpful(.with { $0.reviewID = reviews[0].reviewID; $0.customerID = "v2" })
      _ = try await harness.client.voteHelpful(.with { $0.reviewID = reviews[2].reviewID; $0.customerID = "v1" })
      #expect(try await list(harness) { $0.sort = .helpful } == ["c0", "c2", "c4", "c3", "c1"])
      #expect(try await list(harness) { $0.rating = 5 } == ["c3", "c1"])
      #expect(try await list(harness) { $0.verifiedOnly = true } == ["c3", "c1"])
      #expect(try await list(harness) { $0.withPhotosOnly = true } == ["c3", "c1"])
      #expect(try await list(harness) { $0.withPhotosOnly = true; $0.verifiedOnly = true; $0.rating = 1 } == [])
    }
  }

  @Test("keyset pages in every order cover the list exactly once", arguments: [
    Crm_Trust_V1_ReviewSort.newest, .rating, .helpful,
  ])
  func paging(sort: Crm_Trust_V1_ReviewSort) async throws {
    let purchases = FakePurchaseRecords()
    try await TrustHarness.run(purchases: purchases) { harness in
      _ = try await Self.seed(harness, purchases: purchases)
      let whole = try await list(harness) { $0.sort = sort }
      var seen: [String] = []
      var token = ""
      repeat {
        let page = try await harness.client.listReviews(.with {
          $0.productID = "p-phone"; $0.sort = sort; $0.page.pageSize = 2; $0.page.pageToken = token
        })
        #expect(page.reviews.count <= 2)
        seen += page.reviews.map(\.customerID)
        token = page.page.nextPageToken
      } while !token.isEmpty
      #expect(seen == whole)
      #expect(whole.count == 5)
    }
  }

  @Test("a token from another order or product is INVALID_ARGUMENT naming page.page_token")
  func foreignToken() async throws {
    let purchases = FakePurchaseRecords()
    try await TrustHarness.run(purchases: purchases) { harness in
      _ = try await Self.seed(harness, purchases: purchases)
      let token = try await harness.client.listReviews(.with { $0.productID = "p-phone"; $0.page.pageSize = 1 }).page.nextPageToken
      let error = await #expect(throws: RPCError.self) {
        try await harness.client.listReviews(.with { $0.productID = "p-phone"; $0.sort = .rating; $0.page.pageToken = token })
      }
      #expect(error?.message.hasPrefix("page.page_token:") == true)
      let rating = await #expect(throws: RPCError.self) {
        try await harness.client.listReviews(.with { $0.productID = "p-phone"; $0.rating = 6 })
      }
      #expect(rating?.message.hasPrefix("rating:") == true)
    }
  }

  @Test("the first page in each order is an index range: no scan of review, no sort", arguments: [
    Crm_Trust_V1_ReviewSort.newest, .rating, .helpful,
  ])
  func firstPageUsesIndex(sort: Crm_Trust_V1_ReviewSort) async throws {
    let database = try StoreOpener.inMemory(migrator: TrustStore.migrator)
    let query = ReviewListingQuery(
      productID: "p-phone", sort: sort, rating: 0, verifiedOnly: false, withPhotosOnly: false, after: nil, limit: 21)
    let (sql, arguments) = query.sql
    let plan = try await database.read { db in
      try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: arguments).map { $0["detail"] as String }
    }
    let expected = ["review_published_newest", "review_published_rating", "review_published_helpful"][sort.rawValue - 1]
    #expect(plan.contains { $0.contains("USING INDEX \(expected)") }, "\(plan)")
    #expect(!plan.contains { $0.contains("TEMP B-TREE") }, "\(plan)")
    #expect(!plan.contains { $0.hasPrefix("SCAN review") && !$0.contains("INDEX") }, "\(plan)")
  }
}
