import Contracts
import Foundation
import GRDB
import GRPCCore
import ServiceKit

extension FeedbackService {
  /// Articles matching every word of the query, best first (bm25, titles weigh more), paged.
  public func searchArticles(
    request: Crm_Feedback_V1_SearchArticlesRequest,
    context: ServerContext
  ) async throws -> Crm_Feedback_V1_SearchArticlesResponse {
    let pattern = try ArticleSearch.allWords(request.query)
    if !request.category.isEmpty { try CategoryPath.validate(request.category, field: "category") }
    let size = try paging.size(of: request.page)
    let listing = "articles:\(request.category):\(request.query)"
    let offset = try PageCursor.decode(request.page, listing: listing).map {
      token throws(ServiceError) in
      guard let offset = Int(token), offset >= 0 else {
        throw ServiceError.invalidArgument(
          field: "page.page_token", reason: "is not a token this service issued")
      }
      return offset
    } ?? 0

    let found = try await store.database.read { db in
      try ArticleSearch.matching {
        try ArticleRecord.fetchAll(
          db,
          sql: """
            SELECT a.* FROM article_fts JOIN article a ON a.id = article_fts.rowid
            WHERE article_fts MATCH ?
              AND (? = '' OR a.category = ? OR substr(a.category, 1, length(?) + 1) = ? || '/')
            ORDER BY bm25(article_fts, 10.0, 1.0), a.id
            LIMIT ? OFFSET ?
            """,
          arguments: [
            pattern, request.category, request.category, request.category, request.category,
            size + 1, offset,
          ])
      }
    }
    let page = found.prefix(size)
    return .with {
      $0.articles = page.map(\.message)
      $0.page.nextPageToken = PageCursor.token(
        listing: listing, after: String(offset + page.count), hasMore: found.count > size)
    }
  }

  /// Articles for a ticket: any word of its text or category, its own category branch first.
  public func suggestArticles(
    request: Crm_Feedback_V1_SuggestArticlesRequest,
    context: ServerContext
  ) async throws -> Crm_Feedback_V1_SuggestArticlesResponse {
    try FieldValidation.requireID(request.ticketID, field: "ticket_id")
    try FieldValidation.require(request.limit, in: 0...20, field: "limit")
    let limit = request.limit == 0 ? 5 : Int(request.limit)

    let articles = try await store.database.read { db -> [ArticleRecord] in
      let ticket = try TicketRecord.existing(request.ticketID, db)
      let words = ticket.category.replacingOccurrences(of: "/", with: " ") + " " + ticket.text
      guard let pattern = ArticleSearch.anyWord(words) else { return [] }
      let category = ticket.category
      return try ArticleSearch.matching {
        // Rank 0: the ticket's category, an ancestor of it, or a descendant; then the rest.
        try ArticleRecord.fetchAll(
          db,
          sql: """
            SELECT a.* FROM article_fts JOIN article a ON a.id = article_fts.rowid
            WHERE article_fts MATCH ?
            ORDER BY
              CASE WHEN a.category = ?
                     OR substr(?, 1, length(a.category) + 1) = a.category || '/'
                     OR substr(a.category, 1, length(?) + 1) = ? || '/'
                   THEN 0 ELSE 1 END,
              bm25(article_fts, 10.0, 1.0), a.id
            LIMIT ?
            """,
          arguments: [pattern, category, category, category, category, limit])
      }
    }
    return .with { $0.articles = articles.map(\.message) }
  }
}
