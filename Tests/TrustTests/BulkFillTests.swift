import Contracts
import Foundation
import GRDB
import GRPCCore
import ServiceKit
import Testing

@testable import Trust

@Suite("Trust: a bulk-filled store reads as the service's own")
struct BulkFillTests {
  /// The end of the filled history, where the harness clock stands.
  static let asOf = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00:00Z

  static func fill(reviews: Int = 3_000, seed: UInt64 = 11) -> TrustBulkFill {
    var fill = TrustBulkFill(
      asOf: asOf, productID: { BulkIDs.product($0) },
      customerID: { BulkIDs.customer($0) })
    fill.reviews = reviews
    fill.products = 30
    fill.customers = 600
    fill.businesses = 4
    fill.seed = seed
    fill.rowsPerTransaction = 700
    return fill
  }

  static func filledStore(_ fill: TrustBulkFill = fill()) async throws -> (DatabaseQueue, TrustBulkFill.Summary) {
    let database = try StoreOpener.inMemory(migrator: TrustStore.migrator)
    let summary = try await fill.run(into: database)
    return (database, summary)
  }

  static func harness(_ database: DatabaseQueue, _ body: (TrustHarness) async throws -> Void) async throws {
    try await TrustHarness.run(database: database, clock: ManualClock(start: asOf), body)
  }

  @Test("the precomputed aggregates equal the service's recount and a recount from the reviews")
  func aggregatesEqualRecount() async throws {
    // Given a filled store
    let (database, summary) = try await Self.filledStore()
    #expect(summary.reviews == 3_000)
    #expect(summary.published + summary.pending + summary.rejected == summary.reviews)
    #expect(summary.pending > 0 && summary.rejected > 0 && summary.votes > 0 && summary.replies > 0)
    // Then the service's own recount finds every stored row right
    #expect(try await TrustStore(database: database).aggregateDiscrepancies() == [])
    // And every product and business summary served equals a count of its published reviews
    try await Self.harness(database) { harness in
      for product in 0..<30 {
        let id = BulkIDs.product(product)
        let served = try await harness.client.getProductSummary(.with { $0.productID = id }).summary
        let recount = try await AggregateTests.recount(database, column: "product_id", subject: id)
        #expect(served.reviewCount == recount.count && served.reviewCount > 0, "\(id)")
        #expect(served.ratingDistribution == recount.distribution, "\(id)")
        #expect(abs(served.averageRating - recount.average) < 1e-9, "\(id)")
        #expect(abs(served.verifiedShare - recount.verifiedShare) < 1e-9, "\(id)")
      }
      for business in 0..<4 {
        let id = "shop-" + BulkIDs.padded(business, 3)
        let served = try await harness.client.getBusinessSummary(.with { $0.businessID = id }).summary
        let recount = try await AggregateTests.recount(database, column: "business_id", subject: id)
        #expect(served.reviewCount == recount.count && served.reviewCount > 0, "\(id)")
        #expect(served.ratingDistribution == recount.distribution, "\(id)")
      }
    }
    // And the ratings lean the way review sites do: five stars the most common, then four
    let site = try await database.read { db in
      try ReviewAggregateRecord.fetchOne(db, key: ["scope": "all", "subject_id": ""])
    }
    #expect(site?.reviewCount == summary.published)
    #expect((site?.rating5 ?? 0) > (site?.rating4 ?? 0) && (site?.rating4 ?? 0) > (site?.rating2 ?? 0))
  }

  @Test("the recount notices a stored aggregate that is off")
  func recountFindsDrift() async throws {
    let (database, _) = try await Self.filledStore(Self.fill(reviews: 300))
    try await database.write { db in
      try db.execute(
        sql: "UPDATE review_aggregate SET rating_5 = rating_5 + 1 WHERE scope = 'product' AND subject_id = 'p-00003'")
    }
    let found = try await TrustStore(database: database).aggregateDiscrepancies()
    #expect(found.count == 1 && found[0].hasPrefix("product/p-00003:"), "\(found)")
  }

  @Test("votes, replies, flags, photos and times follow the service's rules")
  func rowsFollowTheRules() async throws {
    let (database, summary) = try await Self.filledStore()
    let asOf = Self.asOf
    try await database.read { db in
      func count(_ sql: String, _ arguments: StatementArguments = []) throws -> Int {
        try Int.fetchOne(db, sql: sql, arguments: arguments) ?? -1
      }
      #expect(try count("SELECT COUNT(*) FROM helpful_vote") == summary.votes)
      #expect(try count("SELECT COUNT(*) FROM review_reply") == summary.replies)
      // helpful_count is the number of votes, votes are on published reviews, never the author's
      #expect(try count("""
        SELECT COUNT(*) FROM review r
        WHERE helpful_count != (SELECT COUNT(*) FROM helpful_vote v WHERE v.review_id = r.id)
        """) == 0)
      #expect(try count("""
        SELECT COUNT(*) FROM helpful_vote v JOIN review r ON r.id = v.review_id
        WHERE r.status != 2 OR r.customer_id = v.customer_id OR v.created_at < r.published_at
        """) == 0)
      // Reviews no query may return: each condition is a rule of the service broken
      let broken: [(String, StatementArguments)] = [
        // photo_count is the number of newline-separated references
        ("photo_count != (photo_refs != '') + length(photo_refs) - length(replace(photo_refs, char(10), ''))", []),
        // only a published review has a publish time, highlights or votes
        ("status != 2 AND (published_at IS NOT NULL OR curated OR featured OR helpful_count > 0)", []),
        ("status = 2 AND (published_at < created_at OR published_at > ? OR updated_at != published_at)", [asOf]),
        // a rejection has its reason and what the pre-check flagged
        ("status = 3 AND (rejection_reason = '' OR precheck_flags = '')", []),
        // only recent reviews still wait for a moderator; all are within the two years
        ("status = 1 AND created_at < ?", [asOf.addingTimeInterval(-72 * 3600)]),
        ("created_at < ? OR created_at >= ?", [asOf.addingTimeInterval(-730 * 86400), asOf]),
      ]
      for (condition, arguments) in broken {
        #expect(try count("SELECT COUNT(*) FROM review WHERE \(condition)", arguments) == 0, "\(condition)")
      }
      // Every review's fingerprint and flags are what the pre-check computes for its text
      let reviews = try ReviewRecord.fetchAll(db)
      let banned = try String.fetchAll(db, sql: "SELECT word FROM banned_word")
      var hashes: [String: Int] = [:]
      for review in reviews { hashes[review.textHash, default: 0] += 1 }
      for review in reviews {
        #expect(review.textHash == ReviewPrecheck.textHash(review.text))
        let content = ReviewPrecheck.flags(title: review.title, text: review.text, bannedWords: banned, duplicated: false)
        let flags = review.precheckFlags.isEmpty ? [] : review.precheckFlags.components(separatedBy: ",")
        #expect(flags.filter { $0 != ReviewPrecheck.duplicateText } == content, "\(review.id)")
        if flags.contains(ReviewPrecheck.duplicateText) { #expect(hashes[review.textHash, default: 0] > 1) }
      }
      #expect(try count("SELECT COUNT(*) FROM review_reply WHERE visibility = 2") > 0)
    }
  }

  @Test("a product's reviews page through completely in every order and filter, in order", arguments: [
    Crm_Trust_V1_ReviewSort.newest, .rating, .helpful,
  ])
  func pagesCoverTheLargestProduct(sort: Crm_Trust_V1_ReviewSort) async throws {
    let (database, _) = try await Self.filledStore()
    try await Self.harness(database) { harness in
      let filters: [(String, (inout Crm_Trust_V1_ListReviewsRequest) -> Void)] = [
        ("status = 2", { _ in }),
        ("status = 2 AND rating = 4", { $0.rating = 4 }),
        ("status = 2 AND verified", { $0.verifiedOnly = true }),
        ("status = 2 AND photo_count > 0", { $0.withPhotosOnly = true }),
        ("status = 2 AND rating = 1 AND verified AND photo_count > 0", {
          $0.rating = 1; $0.verifiedOnly = true; $0.withPhotosOnly = true
        }),
      ]
      for (condition, filter) in filters {
        var seen: [Crm_Trust_V1_Review] = []
        var token = ""
        repeat {
          var request = Crm_Trust_V1_ListReviewsRequest.with {
            $0.productID = "p-00000"; $0.sort = sort; $0.page.pageSize = 100; $0.page.pageToken = token
          }
          filter(&request)
          let page = try await harness.client.listReviews(request)
          seen += page.reviews
          token = page.page.nextPageToken
        } while !token.isEmpty
        let expected = try await database.read { db in
          try String.fetchAll(db, sql: "SELECT id FROM review WHERE product_id = 'p-00000' AND \(condition)")
        }
        #expect(Set(seen.map(\.reviewID)) == Set(expected) && seen.count == expected.count, "\(condition)")
        let keys = seen.map { review -> (Int64, Date, String) in
          let key: Int64 = sort == .rating ? Int64(review.rating) : sort == .helpful ? review.helpfulCount : 0
          return (key, review.createTime.date, review.reviewID)
        }
        #expect(zip(keys, keys.dropFirst()).allSatisfy { $0 > $1 }, "\(condition) out of order")
        #expect(seen.allSatisfy { $0.replies.allSatisfy { $0.visibility == .public } })
      }
    }
  }

  @Test("the service works on filled rows: queue, publish, vote, delete, second review")
  func serviceActsOnFilledRows() async throws {
    let (database, summary) = try await Self.filledStore()
    try await Self.harness(database) { harness in
      // The moderation queue holds exactly the pending reviews
      var pending: [Crm_Trust_V1_Review] = []
      var token = ""
      repeat {
        let page = try await harness.client.listModerationQueue(.with { $0.page.pageSize = 100; $0.page.pageToken = token })
        pending += page.reviews
        token = page.page.nextPageToken
      } while !token.isEmpty
      #expect(pending.count == summary.pending)
      // Publishing one counts it
      let review = try #require(pending.first)
      let before = try await harness.client.getProductSummary(.with { $0.productID = review.productID }).summary
      _ = try await harness.client.moderateReview(.with { $0.reviewID = review.reviewID; $0.decision = .publish })
      let after = try await harness.client.getProductSummary(.with { $0.productID = review.productID }).summary
      #expect(after.reviewCount == before.reviewCount + 1)
      // A vote adds to the filled count; a second review of the same product is refused
      let mostHelpful = try await harness.client.listReviews(.with { $0.productID = "p-00000"; $0.sort = .helpful })
      let top = try #require(mostHelpful.reviews.first)
      let voted = try await harness.client.voteHelpful(.with { $0.reviewID = top.reviewID; $0.customerID = "c-new" })
      #expect(voted.helpfulCount == top.helpfulCount + 1)
      let error = await #expect(throws: RPCError.self) {
        try await harness.client.createReview(.with {
          $0.idempotencyKey.key = "second"
          $0.review = .with {
            $0.customerID = top.customerID; $0.productID = "p-00000"; $0.rating = 3; $0.text = "Again."
          }
        })
      }
      #expect(error?.code == .alreadyExists)
      // Deleting a filled review takes it out of its aggregates
      _ = try await harness.client.deleteReview(.with { $0.reviewID = top.reviewID })
      #expect(try await TrustStore(database: database).aggregateDiscrepancies() == [])
    }
  }

  @Test("the same seed fills the same store; a store that holds reviews is refused")
  func deterministicAndRefusesNonEmpty() async throws {
    let (first, _) = try await Self.filledStore(Self.fill(reviews: 500))
    let (second, _) = try await Self.filledStore(Self.fill(reviews: 500))
    let dump = "SELECT id, customer_id, product_id, rating, text, status, created_at, helpful_count FROM review ORDER BY id"
    let rows1 = try first.read { try Row.fetchAll($0, sql: dump) }
    let rows2 = try second.read { try Row.fetchAll($0, sql: dump) }
    #expect(rows1 == rows2 && rows1.count == 500)
    let other = try await Self.filledStore(Self.fill(reviews: 500, seed: 12)).0.read { try Row.fetchAll($0, sql: dump) }
    #expect(other != rows1)
    await #expect(throws: TrustBulkFill.FillError.self) { try await Self.fill(reviews: 10).run(into: first) }
  }

  @Test("review volumes: exact total, the most to product 0, never more than the customers")
  func volumes() {
    let full = TrustBulkFill.reviewVolumes(reviews: 1_000_000, products: 10_000, customers: 1_000_000)
    #expect(full.reduce(0, +) == 1_000_000)
    #expect(full[0] > 30_000 && full[9] > 5_000 && full[9_999] >= 15)
    #expect(zip(full, full.dropFirst()).allSatisfy { $0 >= $1 })
    let capped = TrustBulkFill.reviewVolumes(reviews: 5_000, products: 20, customers: 400)
    #expect(capped.reduce(0, +) == 5_000 && capped.max() == 400 && capped.allSatisfy { $0 > 0 })
  }

  @Test("store timestamps are GRDB's own text and read back as the time written")
  func timestamps() throws {
    var random = SplitMix64(seed: 5)
    for _ in 0..<2_000 {
      let milliseconds = Int64.random(in: 0...4_102_444_800_000, using: &random)
      let text = StoreDateText.text(milliseconds: milliseconds)
      let seconds = milliseconds / 1000 * 1000
      let whole = Date(timeIntervalSince1970: Double(seconds) / 1000)
      #expect(StoreDateText.text(milliseconds: seconds) == String.fromDatabaseValue(whole.databaseValue))
      let parsed = try #require(Date.fromDatabaseValue(text.databaseValue))
      #expect(Int64((parsed.timeIntervalSince1970 * 1000).rounded()) == milliseconds, "\(text)")
    }
  }
}
