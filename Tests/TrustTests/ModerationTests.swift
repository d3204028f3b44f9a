import Contracts
import Foundation
import GRDB
import GRPCCore
import ServiceKit
import Testing
import Trust

@Suite("Trust: moderation")
struct ModerationTests {
  /// Submits a review a second after the previous one, so queue order is submission order.
  static func submit(_ harness: TrustHarness, customer: String, text: String, title: String = "") async throws
    -> Crm_Trust_V1_Review
  {
    harness.clock.advance(by: 1)
    return try await harness.client.createReview(.with {
      $0.review = .with {
        $0.customerID = customer
        $0.productID = "p-phone"
        $0.rating = 4
        $0.title = title
        $0.text = text
      }
    }).review
  }

  @Test("publish and reject: only the published review shows; a rejection keeps its reason")
  func publishAndReject() async throws {
    try await TrustHarness.run { harness in
      let good = try await Self.submit(harness, customer: "c1", text: "Good value for the price.")
      let bad = try await Self.submit(harness, customer: "c2", text: "Off topic.")
      let published = try await harness.client.moderateReview(.with {
        $0.reviewID = good.reviewID; $0.decision = .publish; $0.curated = true
      }).review
      #expect(published.status == .published && published.curated && !published.featured && published.hasPublishTime)
      let rejected = try await harness.client.moderateReview(.with {
        $0.reviewID = bad.reviewID; $0.decision = .reject; $0.rejectionReason = "not about the product"
      }).review
      #expect(rejected.status == .rejected && rejected.rejectionReason == "not about the product")

      let listed = try await harness.client.listReviews(.with { $0.productID = "p-phone" }).reviews
      #expect(listed.map(\.reviewID) == [good.reviewID])
      #expect(try await harness.client.getProductSummary(.with { $0.productID = "p-phone" }).summary.reviewCount == 1)

      // A decided review cannot be decided again.
      let again = await #expect(throws: RPCError.self) {
        try await harness.client.moderateReview(.with { $0.reviewID = bad.reviewID; $0.decision = .publish })
      }
      #expect(again?.code == .failedPrecondition)
      // Highlights on a published one.
      let featured = try await harness.client.moderateReview(.with {
        $0.reviewID = good.reviewID; $0.decision = .highlight; $0.curated = true; $0.featured = true
      }).review
      #expect(featured.featured && featured.status == .published)
    }
  }

  @Test("bad moderation requests: no decision, reject without reason, unknown review")
  func badRequests() async throws {
    try await TrustHarness.run { harness in
      let review = try await Self.submit(harness, customer: "c1", text: "Fine.")
      let noDecision = await #expect(throws: RPCError.self) {
        try await harness.client.moderateReview(.with { $0.reviewID = review.reviewID })
      }
      #expect(noDecision?.message.hasPrefix("decision:") == true)
      let noReason = await #expect(throws: RPCError.self) {
        try await harness.client.moderateReview(.with { $0.reviewID = review.reviewID; $0.decision = .reject })
      }
      #expect(noReason?.message.hasPrefix("rejection_reason:") == true)
      let missing = await #expect(throws: RPCError.self) {
        try await harness.client.moderateReview(.with { $0.reviewID = "nope"; $0.decision = .publish })
      }
      #expect(missing?.code == .notFound)
      let highlightPending = await #expect(throws: RPCError.self) {
        try await harness.client.moderateReview(.with { $0.reviewID = review.reviewID; $0.decision = .highlight })
      }
      #expect(highlightPending?.code == .failedPrecondition)
    }
  }

  @Test("the pre-check flags banned words, links and duplicate text for a person; it never publishes")
  func precheckFlags() async throws {
    try await TrustHarness.run { harness in
      let clean = try await Self.submit(harness, customer: "c1", text: "The battery easily lasts two full days.")
      #expect(clean.precheckFlags.isEmpty)
      let banned = try await Self.submit(harness, customer: "c2", text: "Total SCAM, do not buy.")
      #expect(banned.precheckFlags == ["banned_word"])
      let link = try await Self.submit(harness, customer: "c3", text: "Cheaper at https://example.com/deal")
      #expect(link.precheckFlags == ["link"])
      let copy = try await Self.submit(harness, customer: "c4", text: "the battery  easily lasts two FULL days.")
      #expect(copy.precheckFlags == ["duplicate_text"])
      for review in [banned, link, copy] { #expect(review.status == .pending) }

      let queue = try await harness.client.listModerationQueue(.with { $0.flaggedOnly = true }).reviews
      #expect(queue.map(\.reviewID) == [banned.reviewID, link.reviewID, copy.reviewID])
      #expect(try await harness.client.listModerationQueue(.init()).reviews.count == 4)

      // The banned words are data: a word added to the table is caught from then on.
      try await harness.database.write { try $0.execute(sql: "INSERT INTO banned_word (word) VALUES ('knockoff')") }
      let knockoff = try await Self.submit(harness, customer: "c5", text: "A knockoff.")
      #expect(knockoff.precheckFlags == ["banned_word"])
    }
  }

  @Test("the moderation queue pages oldest first without repeats")
  func queuePaging() async throws {
    try await TrustHarness.run { harness in
      var ids: [String] = []
      for n in 0..<5 {
        harness.clock.advance(by: 1)
        ids.append(try await Self.submit(harness, customer: "c\(n)", text: "Review number \(n)").reviewID)
      }
      var seen: [String] = []
      var token = ""
      repeat {
        let page = try await harness.client.listModerationQueue(.with { $0.page.pageSize = 2; $0.page.pageToken = token })
        seen += page.reviews.map(\.reviewID)
        token = page.page.nextPageToken
      } while !token.isEmpty
      #expect(seen == ids)
    }
  }

  @Test("a retried publish with the same idempotency key counts once and opens one complaint")
  func idempotentPublish() async throws {
    try await TrustHarness.run { harness in
      let review = try await harness.client.createReview(.with {
        $0.review = .with { $0.customerID = "c1"; $0.productID = "p-phone"; $0.rating = 1; $0.text = "Stopped charging." }
      }).review
      let request = Crm_Trust_V1_ModerateReviewRequest.with {
        $0.reviewID = review.reviewID
        $0.decision = .publish
        $0.idempotencyKey.key = "publish-1"
      }
      let first = try await harness.client.moderateReview(request).review
      let again = try await harness.client.moderateReview(request).review
      #expect(first == again)
      #expect(try await harness.client.getProductSummary(.with { $0.productID = "p-phone" }).summary.reviewCount == 1)
      #expect(try await TrustEventTests.outbox(harness.database, to: .feedback).count == 1)
    }
  }
}
