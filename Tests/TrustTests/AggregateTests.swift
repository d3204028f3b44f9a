import Contracts
import Foundation
import GRDB
import GRPCCore
import ServiceKit
import Testing
import Trust

@Suite("Trust: aggregates kept current")
struct AggregateTests {
  @Test("summary figures: count, average, distribution, verified share, Bayesian average")
  func summaryFigures() async throws {
    let purchases = FakePurchaseRecords()
    purchases.buy(customer: "c1", product: "p-phone")
    try await TrustHarness.run(purchases: purchases) { harness in
      try await harness.publishedReview(customer: "c1", rating: 5, business: "shop-1")
      try await harness.publishedReview(customer: "c2", rating: 3, business: "shop-1")
      try await harness.publishedReview(customer: "c3", product: "p-case", rating: 1)
      let summary = try await harness.client.getProductSummary(.with { $0.productID = "p-phone" }).summary
      #expect(summary.reviewCount == 2)
      #expect(summary.averageRating == 4)
      #expect(summary.ratingDistribution == [0, 0, 1, 0, 1])
      #expect(summary.verifiedShare == 0.5)
      // Site mean 3 (9 / 3), prior weight 10: (10 * 3 + 8) / 12.
      #expect(abs(summary.bayesianAverage - 38.0 / 12.0) < 1e-9)
      let business = try await harness.client.getBusinessSummary(.with { $0.businessID = "shop-1" }).summary
      #expect(business.reviewCount == 2 && business.averageRating == 4)
      let none = try await harness.client.getProductSummary(.with { $0.productID = "p-none" }).summary
      #expect(none.reviewCount == 0 && none.ratingDistribution == [0, 0, 0, 0, 0])
    }
  }

  @Test("after a random sequence of publish, edit, reject and delete, the rows equal a recount from scratch")
  func randomSequenceMatchesRecount() async throws {
    let purchases = FakePurchaseRecords()
    for customer in 0..<12 where customer % 3 == 0 {
      for product in 0..<3 { purchases.buy(customer: "c\(customer)", product: "p\(product)") }
    }
    var generator = SplitMix64(seed: 20_260_101)
    try await TrustHarness.run(purchases: purchases) { harness in
      var reviews: [String: Crm_Trust_V1_Review] = [:]
      for _ in 0..<200 {
        let customer = "c\(Int.random(in: 0..<12, using: &generator))"
        let product = "p\(Int.random(in: 0..<3, using: &generator))"
        let rating = Int32.random(in: 1...5, using: &generator)
        let key = "\(customer)/\(product)"
        guard let review = reviews[key] else {
          reviews[key] = try await harness.client.createReview(.with {
            $0.review = .with {
              $0.customerID = customer; $0.productID = product; $0.rating = rating
              $0.text = "r \(rating)"; $0.businessID = "b\(product.last!)"
            }
          }).review
          continue
        }
        switch Int.random(in: 0..<4, using: &generator) {
        case 0 where review.status == .pending:
          reviews[key] = try await harness.client.moderateReview(.with { $0.reviewID = review.reviewID; $0.decision = .publish }).review
        case 1 where review.status == .pending:
          reviews[key] = try await harness.client.moderateReview(.with {
            $0.reviewID = review.reviewID; $0.decision = .reject; $0.rejectionReason = "no"
          }).review
        case 2:
          reviews[key] = try await harness.client.editReview(.with {
            $0.reviewID = review.reviewID; $0.customerID = customer; $0.rating = rating; $0.text = "edited \(rating)"
          }).review
        case 3:
          _ = try await harness.client.deleteReview(.with { $0.reviewID = review.reviewID })
          reviews[key] = nil
        default:
          break
        }
      }
      for product in ["p0", "p1", "p2"] {
        let summary = try await harness.client.getProductSummary(.with { $0.productID = product }).summary
        let recount = try await Self.recount(harness.database, column: "product_id", subject: product)
        #expect(summary.reviewCount == recount.count, "\(product)")
        #expect(summary.ratingDistribution == recount.distribution, "\(product)")
        #expect(abs(summary.averageRating - recount.average) < 1e-9, "\(product)")
        #expect(abs(summary.verifiedShare - recount.verifiedShare) < 1e-9, "\(product)")
        let business = try await harness.client.getBusinessSummary(.with { $0.businessID = "b\(product.last!)" }).summary
        #expect(business == summary)
      }
      #expect(reviews.values.contains { $0.status == .published })
    }
  }

  /// The summary computed from the published reviews themselves.
  static func recount(_ database: any DatabaseWriter, column: String, subject: String) async throws
    -> (count: Int64, average: Double, distribution: [Int64], verifiedShare: Double)
  {
    try await database.read { db in
      let rows = try Row.fetchAll(
        db, sql: "SELECT rating, verified FROM review WHERE status = 2 AND \(column) = ?", arguments: [subject])
      let ratings: [Int] = rows.map { $0["rating"] }
      let verified = rows.filter { $0["verified"] as Bool }.count
      let count = ratings.count
      return (
        Int64(count), count == 0 ? 0 : Double(ratings.reduce(0, +)) / Double(count),
        (1...5).map { rating in Int64(ratings.filter { $0 == rating }.count) },
        count == 0 ? 0 : Double(verified) / Double(count)
      )
    }
  }
}
