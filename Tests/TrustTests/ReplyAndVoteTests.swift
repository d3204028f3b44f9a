import Contracts
import Foundation
import GRPCCore
import ServiceKit
import Testing
import Trust

@Suite("Trust: replies and helpfulness")
struct ReplyAndVoteTests {
  @Test("public replies show with the review; private ones only when asked for")
  func replies() async throws {
    try await TrustHarness.run { harness in
      let review = try await harness.publishedReview(customer: "c1", rating: 2)
      let publicReply = try await harness.client.replyToReview(.with {
        $0.reviewID = review.reviewID
        $0.reply = .with { $0.author = "shop-care"; $0.text = "Sorry! We are sending a new one."; $0.visibility = .public }
      }).reply
      harness.clock.advance(by: 1)
      _ = try await harness.client.replyToReview(.with {
        $0.reviewID = review.reviewID
        $0.reply = .with { $0.author = "shop-care"; $0.text = "Your refund code: 1234"; $0.visibility = .private }
      })
      let listed = try await harness.client.listReviews(.with { $0.productID = "p-phone" }).reviews
      #expect(listed.first?.replies.map(\.replyID) == [publicReply.replyID])
      let plain = try await harness.client.getReview(.with { $0.reviewID = review.reviewID }).review
      #expect(plain.replies.count == 1)
      let full = try await harness.client.getReview(.with { $0.reviewID = review.reviewID; $0.includePrivateReplies = true }).review
      #expect(full.replies.map(\.visibility) == [.public, .private])
    }
  }

  @Test("bad replies: no visibility, empty text, unknown review")
  func badReplies() async throws {
    try await TrustHarness.run { harness in
      let review = try await harness.publishedReview(customer: "c1", rating: 4)
      let noVisibility = await #expect(throws: RPCError.self) {
        try await harness.client.replyToReview(.with {
          $0.reviewID = review.reviewID; $0.reply = .with { $0.author = "a"; $0.text = "t" }
        })
      }
      #expect(noVisibility?.message.hasPrefix("reply.visibility:") == true)
      let empty = await #expect(throws: RPCError.self) {
        try await harness.client.replyToReview(.with {
          $0.reviewID = review.reviewID; $0.reply = .with { $0.author = "a"; $0.visibility = .public }
        })
      }
      #expect(empty?.message.hasPrefix("reply.text:") == true)
      let missing = await #expect(throws: RPCError.self) {
        try await harness.client.replyToReview(.with {
          $0.reviewID = "nope"; $0.reply = .with { $0.author = "a"; $0.text = "t"; $0.visibility = .public }
        })
      }
      #expect(missing?.code == .notFound)
    }
  }

  @Test("a customer votes a review helpful once; not their own, not an unpublished one")
  func votes() async throws {
    try await TrustHarness.run { harness in
      let review = try await harness.publishedReview(customer: "c1", rating: 4)
      #expect(try await harness.client.voteHelpful(.with { $0.reviewID = review.reviewID; $0.customerID = "c2" }).helpfulCount == 1)
      let twice = await #expect(throws: RPCError.self) {
        try await harness.client.voteHelpful(.with { $0.reviewID = review.reviewID; $0.customerID = "c2" })
      }
      #expect(twice?.code == .alreadyExists)
      #expect(try await harness.client.voteHelpful(.with { $0.reviewID = review.reviewID; $0.customerID = "c3" }).helpfulCount == 2)
      let own = await #expect(throws: RPCError.self) {
        try await harness.client.voteHelpful(.with { $0.reviewID = review.reviewID; $0.customerID = "c1" })
      }
      #expect(own?.code == .failedPrecondition)
      let pending = try await harness.client.createReview(.with {
        $0.review = .with { $0.customerID = "c5"; $0.productID = "p-phone"; $0.rating = 3; $0.text = "ok" }
      }).review
      let unpublished = await #expect(throws: RPCError.self) {
        try await harness.client.voteHelpful(.with { $0.reviewID = pending.reviewID; $0.customerID = "c2" })
      }
      #expect(unpublished?.code == .failedPrecondition)
      #expect(try await harness.client.getReview(.with { $0.reviewID = review.reviewID }).review.helpfulCount == 2)
    }
  }
}
