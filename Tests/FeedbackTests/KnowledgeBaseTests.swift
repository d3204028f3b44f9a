import Contracts
import Foundation
import GRPCCore
import SwiftProtobuf
import Testing

@Suite("Feedback: knowledge base with full-text search")
struct KnowledgeBaseTests {
  typealias H = FeedbackHarness

  @discardableResult
  func article(_ harness: H, _ category: String, _ title: String, _ body: String) async throws
    -> Crm_Feedback_V1_Article
  {
    try await harness.client.createArticle(
      .with {
        $0.article.category = category; $0.article.title = title; $0.article.body = body
      }
    ).article
  }

  func search(_ harness: H, _ query: String, category: String = "") async throws -> [String] {
    try await harness.client.searchArticles(
      .with {
        $0.query = query; $0.category = category
      }
    ).articles.map(\.title)
  }

  /// Three articles: one about late parcels, one about billing that mentions refunds of late
  /// fees, one unrelated.
  func seed(_ harness: H) async throws -> [Crm_Feedback_V1_Article] {
    [
      try await article(
        harness, "delivery/late", "Late delivery refunds",
        "If your parcel arrives late you can ask for a refund of the shipping fee."),
      try await article(
        harness, "billing", "Billing errors",
        "A late payment fee charged by mistake is refunded within five days."),
      try await article(
        harness, "product/quality", "Caring for leather", "Keep it dry and away from the sun."),
    ]
  }

  @Test("articles are found by their words, best match first (bm25), within a category branch")
  func searchRanking() async throws {
    try await H.run { harness in
      // Given
      let created = try await seed(harness)
      // When / Then: both match "late refund" (stems), the one with it in the title ranks first
      #expect(try await search(harness, "late refund") == ["Late delivery refunds", "Billing errors"])
      #expect(try await search(harness, "late refund", category: "billing") == ["Billing errors"])
      #expect(try await search(harness, "refund", category: "delivery") == ["Late delivery refunds"])
      #expect(try await search(harness, "leath*") == ["Caring for leather"])
      #expect(try await search(harness, "parcel leather").isEmpty)
      let fetched = try await harness.client.getArticle(.with { $0.articleID = created[0].articleID })
      #expect(fetched.article == created[0])
      #expect(created[0].createTime.date == harness.clock.now())
    }
  }

  @Test("results page by page")
  func paging() async throws {
    try await H.run { harness in
      _ = try await seed(harness)
      let first = try await harness.client.searchArticles(
        .with { $0.query = "late"; $0.page.pageSize = 1 })
      #expect(first.articles.map(\.title) == ["Late delivery refunds"])
      #expect(!first.page.nextPageToken.isEmpty)
      let second = try await harness.client.searchArticles(
        .with {
          $0.query = "late"; $0.page.pageSize = 1; $0.page.pageToken = first.page.nextPageToken
        })
      #expect(second.articles.map(\.title) == ["Billing errors"])
      #expect(second.page.nextPageToken.isEmpty)
      await expectFailure(.invalidArgument, field: "page.page_token") {
        _ = try await harness.client.searchArticles(
          .with { $0.query = "other"; $0.page.pageToken = first.page.nextPageToken })
      }
    }
  }

  @Test("an update changes the masked fields (or all), and the index follows it")
  func update() async throws {
    try await H.run { harness in
      let created = try await seed(harness)
      harness.clock.advance(by: H.hour)
      // When: only the title
      let renamed = try await harness.client.updateArticle(
        .with {
          $0.article.articleID = created[2].articleID
          $0.article.title = "Caring for suede"
          $0.updateMask.paths = ["title"]
        }
      ).article
      // Then
      #expect(renamed.body == created[2].body)
      #expect(renamed.category == created[2].category)
      #expect(renamed.updateTime.date == harness.clock.now())
      #expect(try await search(harness, "suede") == ["Caring for suede"])
      #expect(try await search(harness, "leather").isEmpty)
      // When: a full replace (empty mask)
      let replaced = try await harness.client.updateArticle(
        .with {
          $0.article.articleID = created[2].articleID
          $0.article.category = "billing"
          $0.article.title = "Invoices"
          $0.article.body = "Download invoices from your account."
        }
      ).article
      #expect(replaced.category == "billing")
      #expect(try await search(harness, "invoices", category: "billing") == ["Invoices"])
      #expect(try await search(harness, "suede").isEmpty)
      await expectFailure(.invalidArgument, field: "update_mask") {
        _ = try await harness.client.updateArticle(
          .with {
            $0.article.articleID = created[2].articleID; $0.updateMask.paths = ["author"]
          })
      }
      await expectFailure(.invalidArgument, field: "article.title") {
        _ = try await harness.client.updateArticle(
          .with {
            $0.article.articleID = created[2].articleID; $0.updateMask.paths = ["title"]
          })
      }
      await expectFailure(.notFound) {
        _ = try await harness.client.updateArticle(
          .with {
            $0.article.articleID = "999"; $0.article.title = "t"; $0.updateMask.paths = ["title"]
          })
      }
    }
  }

  @Test(
    "FTS syntax in a query is searched as words or is INVALID_ARGUMENT naming query, never UNKNOWN",
    arguments: [
      "\"", "\"unbalanced", "late\" OR \"x", "title:late", "NEAR(late refund)", "late AND",
      "OR", "(", ")))", "*", "-late", "late^", "'; DROP TABLE article; --", "{title}: late",
      "   ",
    ])
  func hostileQuery(query: String) async throws {
    try await H.run { harness in
      _ = try await seed(harness)
      do {
        _ = try await search(harness, query)
      } catch let error as RPCError {
        #expect(error.code == .invalidArgument, "\(query): \(error)")
        #expect(error.message.hasPrefix("query:"), "\(error.message)")
      }
      #expect(try await search(harness, "late").count == 2)
    }
  }

  @Test("a ticket gets articles from its category and text, its own branch first")
  func suggestions() async throws {
    try await H.run { harness in
      _ = try await seed(harness)
      try await article(
        harness, "billing", "Parcel insurance", "Insure a parcel against loss for a small fee.")
      let ticket = try await harness.createTicket(
        category: "delivery/late", text: "My parcel never arrived!")
      let suggested = try await harness.client.suggestArticles(.with { $0.ticketID = ticket.ticketID })
      #expect(suggested.articles.map(\.title) == ["Late delivery refunds", "Parcel insurance", "Billing errors"])
      let one = try await harness.client.suggestArticles(
        .with { $0.ticketID = ticket.ticketID; $0.limit = 1 })
      #expect(one.articles.map(\.title) == ["Late delivery refunds"])
      await expectFailure(.notFound) {
        _ = try await harness.client.suggestArticles(.with { $0.ticketID = "missing" })
      }
      await expectFailure(.invalidArgument, field: "limit") {
        _ = try await harness.client.suggestArticles(.with { $0.ticketID = ticket.ticketID; $0.limit = 21 })
      }
    }
  }

  @Test("bad article input names the field; the same key and body creates one article")
  func badInputAndIdempotency() async throws {
    try await H.run { harness in
      await expectFailure(.invalidArgument, field: "article.category") {
        _ = try await article(harness, "nope", "T", "B")
      }
      await expectFailure(.invalidArgument, field: "article.title") {
        _ = try await article(harness, "billing", "", "B")
      }
      await expectFailure(.invalidArgument, field: "article.body") {
        _ = try await article(harness, "billing", "T", " ")
      }
      for query in ["\"", "***", "  ", "()", String(repeating: "a ", count: 300)] {
        await expectFailure(.invalidArgument, field: "query") { _ = try await search(harness, query) }
      }
      await expectFailure(.invalidArgument, field: "category") {
        _ = try await search(harness, "refund", category: "Not A Path")
      }
      await expectFailure(.invalidArgument, field: "article_id") {
        _ = try await harness.client.getArticle(.with { $0.articleID = "abc" })
      }
      await expectFailure(.notFound) {
        _ = try await harness.client.getArticle(.with { $0.articleID = "42" })
      }
      let request = Crm_Feedback_V1_CreateArticleRequest.with {
        $0.article.category = "billing"; $0.article.title = "Refunds"; $0.article.body = "How refunds work."
        $0.idempotencyKey.key = "kb-1"
      }
      let first = try await harness.client.createArticle(request).article
      #expect(try await harness.client.createArticle(request).article == first)
      var other = request
      other.article.title = "Other"
      await expectFailure(.alreadyExists) { _ = try await harness.client.createArticle(other) }
      #expect(try await search(harness, "refunds") == ["Refunds"])
    }
  }
}
