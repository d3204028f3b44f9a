import Contracts
import Foundation
import GRDB
import GRPCCore
import ServiceKit
import SwiftProtobuf

extension FeedbackService {
  /// Adds a node to the category tree under the parent its path names.
  public func createCategory(
    request: Crm_Feedback_V1_CreateCategoryRequest,
    context: ServerContext
  ) async throws -> Crm_Feedback_V1_CreateCategoryResponse {
    let key = try IdempotencyLedger.validatedKey(
      request.idempotencyKey.key, field: "idempotency_key.key")
    let path = request.category.path
    try CategoryPath.validate(path, field: "category.path")
    try FieldValidation.limitText(
      request.category.displayName, field: "category.display_name", maxLength: 128)
    let displayName =
      request.category.displayName.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
      ? CategoryPath.leaf(of: path) : request.category.displayName

    let now = clock.now()
    let record = CategoryRecord(
      path: path, parentPath: CategoryPath.parent(of: path), displayName: displayName,
      createdAt: now)
    let result = try await store.database.write { db in
      try IdempotencyLedger.run(db, scope: "CreateCategory", key: key, request: request, now: now) {
        db in
        if let parent = record.parentPath, try !CategoryRecord.exists(db, key: parent) {
          throw ServiceError.notFound("parent category \(FieldValidation.quoted(parent))")
        }
        if try CategoryRecord.exists(db, key: path) {
          throw ServiceError.alreadyExists("category \(FieldValidation.quoted(path)) already exists")
        }
        try record.insert(db)
        return Crm_Feedback_V1_CreateCategoryResponse.with { $0.category = record.message }
      }
    }
    return try result.get()
  }

  /// Lists the tree, or one subtree, in path order.
  public func listCategories(
    request: Crm_Feedback_V1_ListCategoriesRequest,
    context: ServerContext
  ) async throws -> Crm_Feedback_V1_ListCategoriesResponse {
    let parent = request.parentPath
    if !parent.isEmpty { try CategoryPath.validate(parent, field: "parent_path") }
    let size = try paging.size(of: request.page)
    let listing = "categories:\(parent)"
    let after = try PageCursor.decode(request.page, listing: listing)

    let rows = try await store.database.read { db in
      if !parent.isEmpty, try !CategoryRecord.exists(db, key: parent) {
        throw ServiceError.notFound("category \(FieldValidation.quoted(parent))")
      }
      var query = CategoryRecord.order(CategoryRecord.Columns.path)
      if !parent.isEmpty {
        // "/" sorts just before "0", so the descendants of "a" are the paths in ["a/", "a0").
        query = query.filter(
          CategoryRecord.Columns.path > parent + "/" && CategoryRecord.Columns.path < parent + "0")
      }
      if let after { query = query.filter(CategoryRecord.Columns.path > after) }
      return try query.limit(size + 1).fetchAll(db)
    }
    let page = rows.prefix(size)
    return .with {
      $0.categories = page.map(\.message)
      $0.page.nextPageToken = PageCursor.token(
        listing: listing, after: page.last?.path, hasMore: rows.count > size)
    }
  }
}

extension CategoryRecord {
  var message: Crm_Feedback_V1_Category {
    .with {
      $0.path = path
      $0.displayName = displayName
      $0.parentPath = parentPath ?? ""
      $0.createTime = Google_Protobuf_Timestamp(storeDate: createdAt)
    }
  }
}
