import Contracts
import Foundation
import GRDB
import GRPCCore
import ServiceKit
import SwiftProtobuf

extension FeedbackService {
  /// Adds an article; the FTS index takes it in the same transaction.
  public func createArticle(
    request: Crm_Feedback_V1_CreateArticleRequest,
    context: ServerContext
  ) async throws -> Crm_Feedback_V1_CreateArticleResponse {
    let key = try IdempotencyLedger.validatedKey(
      request.idempotencyKey.key, field: "idempotency_key.key")
    let article = request.article
    try ArticleRecord.validate(category: article.category)
    try ArticleRecord.validate(title: article.title)
    try ArticleRecord.validate(body: article.body)

    let now = clock.now()
    let result = try await store.database.write { db in
      try ArticleRecord.requireCategoryInTree(article.category, db)
      return try IdempotencyLedger.run(
        db, scope: "CreateArticle", key: key, request: request, now: now
      ) { db in
        var record = ArticleRecord(
          id: nil, category: article.category, title: article.title, body: article.body,
          createdAt: now, updatedAt: now)
        try record.insert(db)
        return Crm_Feedback_V1_CreateArticleResponse.with { $0.article = record.message }
      }
    }
    return try result.get()
  }

  /// Changes the fields the mask names, or all of them when it is empty.
  public func updateArticle(
    request: Crm_Feedback_V1_UpdateArticleRequest,
    context: ServerContext
  ) async throws -> Crm_Feedback_V1_UpdateArticleResponse {
    let key = try IdempotencyLedger.validatedKey(
      request.idempotencyKey.key, field: "idempotency_key.key")
    let article = request.article
    let id = try ArticleRecord.parseID(article.articleID, field: "article.article_id")
    let known: Set<String> = ["category", "title", "body"]
    let masked = Set(request.updateMask.paths)
    if let unknown = masked.first(where: { !known.contains($0) }) {
      throw ServiceError.invalidArgument(
        field: "update_mask", reason: "\(FieldValidation.quoted(unknown)) is not one of category, title, body")
    }
    let paths = masked.isEmpty ? known : masked
    if paths.contains("category") { try ArticleRecord.validate(category: article.category) }
    if paths.contains("title") { try ArticleRecord.validate(title: article.title) }
    if paths.contains("body") { try ArticleRecord.validate(body: article.body) }

    let now = clock.now()
    let result = try await store.database.write { db in
      if paths.contains("category") {
        try ArticleRecord.requireCategoryInTree(article.category, db)
      }
      return try IdempotencyLedger.run(
        db, scope: "UpdateArticle", key: key, request: request, now: now
      ) { db in
        var record = try ArticleRecord.existing(id, db)
        if paths.contains("category") { record.category = article.category }
        if paths.contains("title") { record.title = article.title }
        if paths.contains("body") { record.body = article.body }
        record.updatedAt = now
        try record.update(db)
        return Crm_Feedback_V1_UpdateArticleResponse.with { $0.article = record.message }
      }
    }
    return try result.get()
  }

  /// Returns one article.
  public func getArticle(
    request: Crm_Feedback_V1_GetArticleRequest,
    context: ServerContext
  ) async throws -> Crm_Feedback_V1_GetArticleResponse {
    let id = try ArticleRecord.parseID(request.articleID, field: "article_id")
    let article = try await store.database.read { db in try ArticleRecord.existing(id, db) }
    return .with { $0.article = article.message }
  }
}

extension ArticleRecord {
  static func validate(category: String) throws(ServiceError) {
    try CategoryPath.validate(category, field: "article.category")
  }

  static func validate(title: String) throws(ServiceError) {
    try FieldValidation.requireText(title, field: "article.title", maxLength: 200)
  }

  static func validate(body: String) throws(ServiceError) {
    try FieldValidation.requireText(body, field: "article.body", maxLength: 20000)
  }

  /// Categories are never deleted, so this check may stay outside the idempotency ledger.
  static func requireCategoryInTree(_ category: String, _ db: Database) throws {
    if try !CategoryRecord.exists(db, key: category) {
      throw ServiceError.invalidArgument(
        field: "article.category", reason: "\(FieldValidation.quoted(category)) is not in the category tree")
    }
  }

  /// An article id as the API spells it (decimal), or INVALID_ARGUMENT naming `field`.
  static func parseID(_ text: String, field: String) throws(ServiceError) -> Int64 {
    try FieldValidation.requireID(text, field: field)
    guard let id = Int64(text), id > 0 else {
      throw .invalidArgument(field: field, reason: "is not an article id")
    }
    return id
  }

  /// The article `id`, or NOT_FOUND.
  static func existing(_ id: Int64, _ db: Database) throws -> ArticleRecord {
    guard let record = try ArticleRecord.fetchOne(db, key: id) else {
      throw ServiceError.notFound("article \(id)")
    }
    return record
  }

  var message: Crm_Feedback_V1_Article {
    .with {
      $0.articleID = id.map(String.init) ?? ""
      $0.category = category
      $0.title = title
      $0.body = body
      $0.createTime = Google_Protobuf_Timestamp(storeDate: createdAt)
      $0.updateTime = Google_Protobuf_Timestamp(storeDate: updatedAt)
    }
  }
}
