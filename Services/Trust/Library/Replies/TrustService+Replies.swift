import Contracts
import Foundation
import GRDB
import GRPCCore
import ServiceKit

extension TrustService {
  public func replyToReview(
    request: Crm_Trust_V1_ReplyToReviewRequest,
    context: ServerContext
  ) async throws -> Crm_Trust_V1_ReplyToReviewResponse {
    let key = try IdempotencyLedger.validatedKey(request.idempotencyKey.key, field: "idempotency_key.key")
    try FieldValidation.requireID(request.reviewID, field: "review_id")
    try FieldValidation.requireID(request.reply.author, field: "reply.author")
    try FieldValidation.requireText(request.reply.text, field: "reply.text", maxLength: 2000)
    try FieldValidation.requireKnown(request.reply.visibility, field: "reply.visibility")
    let now = clock.now()
    let record = ReviewReplyRecord(
      id: UUID().uuidString.lowercased(), reviewID: request.reviewID, author: request.reply.author,
      text: request.reply.text, visibility: request.reply.visibility.rawValue, createdAt: now)
    let result = try await store.database.write { db in
      try IdempotencyLedger.run(db, scope: "ReplyToReview", key: key, request: request, now: now) { db in
        guard try ReviewRecord.exists(db, key: request.reviewID) else {
          throw ServiceError.notFound("review \(FieldValidation.quoted(request.reviewID))")
        }
        try record.insert(db)
        return Crm_Trust_V1_ReplyToReviewResponse.with { $0.reply = record.message }
      }
    }
    return try result.get()
  }

  public func voteHelpful(
    request: Crm_Trust_V1_VoteHelpfulRequest,
    context: ServerContext
  ) async throws -> Crm_Trust_V1_VoteHelpfulResponse {
    try FieldValidation.requireID(request.reviewID, field: "review_id")
    try FieldValidation.requireID(request.customerID, field: "customer_id")
    let now = clock.now()
    return try await store.database.write { db in
      guard let review = try ReviewRecord.fetchOne(db, key: request.reviewID) else {
        throw ServiceError.notFound("review \(FieldValidation.quoted(request.reviewID))")
      }
      guard review.isPublished else {
        throw ServiceError.failedPrecondition("review \(review.id) is not published")
      }
      guard review.customerID != request.customerID else {
        throw ServiceError.failedPrecondition("a customer cannot vote for their own review")
      }
      let voted = try Bool.fetchOne(
        db, sql: "SELECT 1 FROM helpful_vote WHERE review_id = ? AND customer_id = ?",
        arguments: [review.id, request.customerID]) ?? false
      guard !voted else {
        throw ServiceError.alreadyExists("customer \(FieldValidation.quoted(request.customerID)) already voted review \(review.id) helpful")
      }
      try db.execute(
        sql: "INSERT INTO helpful_vote (review_id, customer_id, created_at) VALUES (?, ?, ?)",
        arguments: [review.id, request.customerID, now])
      try db.execute(sql: "UPDATE review SET helpful_count = helpful_count + 1 WHERE id = ?", arguments: [review.id])
      return .with { $0.helpfulCount = Int64(review.helpfulCount + 1) }
    }
  }
}
