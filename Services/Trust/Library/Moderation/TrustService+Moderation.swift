import Contracts
import Foundation
import GRDB
import GRPCCore
import ServiceKit

extension TrustService {
  /// Entries per page when the caller asks for no particular size.
  static let defaultPageSize = 20
  /// The largest page: bigger requests are clamped, as `PageRequest` promises.
  static let maxPageSize = 100

  static func pageSize(_ page: Crm_Common_V1_PageRequest) throws(ServiceError) -> Int {
    guard page.pageSize >= 0 else {
      throw .invalidArgument(field: "page.page_size", reason: "must not be negative")
    }
    return page.pageSize == 0 ? defaultPageSize : min(Int(page.pageSize), maxPageSize)
  }

  public func moderateReview(
    request: Crm_Trust_V1_ModerateReviewRequest,
    context: ServerContext
  ) async throws -> Crm_Trust_V1_ModerateReviewResponse {
    let key = try IdempotencyLedger.validatedKey(request.idempotencyKey.key, field: "idempotency_key.key")
    try FieldValidation.requireID(request.reviewID, field: "review_id")
    try FieldValidation.requireKnown(request.decision, field: "decision")
    if request.decision == .reject {
      try FieldValidation.requireText(request.rejectionReason, field: "rejection_reason", maxLength: 500)
    }
    let now = clock.now()
    let threshold = policy.complaintRatingThreshold
    let result = try await store.database.write { db in
      try IdempotencyLedger.run(db, scope: "ModerateReview", key: key, request: request, now: now) { db in
        guard var record = try ReviewRecord.fetchOne(db, key: request.reviewID) else {
          throw ServiceError.notFound("review \(FieldValidation.quoted(request.reviewID))")
        }
        switch request.decision {
        case .publish, .reject:
          guard record.status == ReviewStatus.pending else {
            throw ServiceError.failedPrecondition("review \(record.id) is not pending moderation")
          }
        default:
          guard record.isPublished else {
            throw ServiceError.failedPrecondition("only a published review can be highlighted")
          }
        }
        switch request.decision {
        case .publish:
          record.status = ReviewStatus.published
          record.publishedAt = now
          record.curated = request.curated
          record.featured = request.featured
          try ReviewAggregates.add(db, review: record, sign: 1)
          if record.rating <= threshold { try TrustEvents.lowRatedReviewPublished(db, review: record, now: now) }
        case .reject:
          record.status = ReviewStatus.rejected
          record.rejectionReason = request.rejectionReason
        default:
          record.curated = request.curated
          record.featured = request.featured
        }
        record.updatedAt = now
        try record.update(db)
        let replies = try ReviewReplies.of(db, reviewIDs: [record.id], includePrivate: true)
        return Crm_Trust_V1_ModerateReviewResponse.with { $0.review = record.message(replies: replies[record.id] ?? []) }
      }
    }
    return try result.get()
  }

  public func listModerationQueue(
    request: Crm_Trust_V1_ListModerationQueueRequest,
    context: ServerContext
  ) async throws -> Crm_Trust_V1_ListModerationQueueResponse {
    let size = try Self.pageSize(request.page)
    let after = try request.page.pageToken.isEmpty ? nil : ReviewCursor(token: request.page.pageToken, listing: "queue")
    return try await store.database.read { db in
      var sql = "SELECT * FROM review WHERE status = \(ReviewStatus.pending)"
      var arguments: StatementArguments = []
      if request.flaggedOnly { sql += " AND precheck_flags != ''" }
      if let after {
        sql += " AND (created_at > ? OR (created_at = ? AND id > ?))"
        arguments += [after.createdAt, after.createdAt, after.reviewID]
      }
      sql += " ORDER BY created_at, id LIMIT ?"
      arguments += [size + 1]
      let rows = try Row.fetchAll(db, sql: sql, arguments: arguments)
      let page = rows.prefix(size)
      var response = Crm_Trust_V1_ListModerationQueueResponse()
      response.reviews = try page.map { try ReviewRecord(row: $0).message(replies: []) }
      if rows.count > size, let last = page.last {
        response.page.nextPageToken = try ReviewCursor(
          listing: "queue", key: 0, createdAt: last["created_at"], reviewID: last["id"]
        ).token()
      }
      return response
    }
  }
}
