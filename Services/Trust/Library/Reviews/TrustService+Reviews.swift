import Contracts
import Foundation
import GRDB
import GRPCCore
import ServiceKit
import SwiftProtobuf

extension TrustService: Crm_Trust_V1_TrustService.SimpleServiceProtocol {
  public func createReview(
    request: Crm_Trust_V1_CreateReviewRequest,
    context: ServerContext
  ) async throws -> Crm_Trust_V1_CreateReviewResponse {
    let key = try IdempotencyLedger.validatedKey(request.idempotencyKey.key, field: "idempotency_key.key")
    let review = request.review
    try FieldValidation.requireID(review.customerID, field: "review.customer_id")
    try FieldValidation.requireID(review.productID, field: "review.product_id")
    try validateContent(
      rating: review.rating, title: review.title, text: review.text, photos: review.photoRefs, prefix: "review.")
    try FieldValidation.limitText(review.orderID, field: "review.order_id", maxLength: 128)
    try FieldValidation.limitText(review.businessID, field: "review.business_id", maxLength: 128)

    // Asked before the transaction: a write transaction never waits on the network.
    let verified = try await verification.verified(customerID: review.customerID, productID: review.productID)
    let now = clock.now()
    var record = ReviewRecord(
      id: UUID().uuidString.lowercased(),
      customerID: review.customerID,
      productID: review.productID,
      rating: Int(review.rating),
      title: review.title,
      text: review.text,
      orderID: review.orderID,
      status: ReviewStatus.pending,
      createdAt: now)
    record.businessID = review.businessID
    record.photoRefs = review.photoRefs.joined(separator: "\n")
    record.photoCount = review.photoRefs.count
    record.verified = verified
    record.textHash = ReviewPrecheck.textHash(review.text)
    record.updatedAt = now
    let result = try await store.database.write { [record] db in
      try IdempotencyLedger.run(db, scope: "CreateReview", key: key, request: request, now: now) { db in
        var record = record
        let existing = try ReviewRecord
          .filter(ReviewRecord.Columns.customerID == record.customerID && ReviewRecord.Columns.productID == record.productID)
          .fetchCount(db)
        guard existing == 0 else {
          throw ServiceError.alreadyExists(
            "customer \(record.customerID) already reviewed product \(record.productID); edit that review instead")
        }
        record.precheckFlags = try ReviewPrecheck.flags(
          db, title: record.title, text: record.text, textHash: record.textHash, reviewID: record.id
        ).joined(separator: ",")
        try record.insert(db)
        try TrustEvents.reviewSubmitted(db, review: record, now: now)
        return Crm_Trust_V1_CreateReviewResponse.with { $0.review = record.message(replies: []) }
      }
    }
    return try result.get()
  }

  public func getReview(
    request: Crm_Trust_V1_GetReviewRequest,
    context: ServerContext
  ) async throws -> Crm_Trust_V1_GetReviewResponse {
    try FieldValidation.requireID(request.reviewID, field: "review_id")
    return try await store.database.read { db in
      guard let record = try ReviewRecord.fetchOne(db, key: request.reviewID) else {
        throw ServiceError.notFound("review \(FieldValidation.quoted(request.reviewID))")
      }
      let replies = try ReviewReplies.of(db, reviewIDs: [record.id], includePrivate: request.includePrivateReplies)
      return .with { $0.review = record.message(replies: replies[record.id] ?? []) }
    }
  }

  public func editReview(
    request: Crm_Trust_V1_EditReviewRequest,
    context: ServerContext
  ) async throws -> Crm_Trust_V1_EditReviewResponse {
    let key = try IdempotencyLedger.validatedKey(request.idempotencyKey.key, field: "idempotency_key.key")
    try FieldValidation.requireID(request.reviewID, field: "review_id")
    try FieldValidation.requireID(request.customerID, field: "customer_id")
    try validateContent(rating: request.rating, title: request.title, text: request.text, photos: request.photoRefs, prefix: "")

    guard let before = try await store.database.read({ try ReviewRecord.fetchOne($0, key: request.reviewID) }) else {
      throw ServiceError.notFound("review \(FieldValidation.quoted(request.reviewID))")
    }
    guard before.customerID == request.customerID else {
      throw ServiceError.failedPrecondition("review \(FieldValidation.quoted(request.reviewID)) was written by another customer")
    }
    let verified = try await verification.verified(customerID: before.customerID, productID: before.productID)
    let now = clock.now()
    let result = try await store.database.write { db in
      try IdempotencyLedger.run(db, scope: "EditReview", key: key, request: request, now: now) { db in
        guard var record = try ReviewRecord.fetchOne(db, key: request.reviewID) else {
          throw ServiceError.notFound("review \(FieldValidation.quoted(request.reviewID))")
        }
        if record.isPublished { try ReviewAggregates.add(db, review: record, sign: -1) }
        record.rating = Int(request.rating)
        record.title = request.title
        record.text = request.text
        record.photoRefs = request.photoRefs.joined(separator: "\n")
        record.photoCount = request.photoRefs.count
        record.verified = verified
        record.textHash = ReviewPrecheck.textHash(request.text)
        record.precheckFlags = try ReviewPrecheck.flags(
          db, title: record.title, text: record.text, textHash: record.textHash, reviewID: record.id
        ).joined(separator: ",")
        // Back to moderation: what a moderator approved or highlighted was the old text.
        record.status = ReviewStatus.pending
        record.rejectionReason = ""
        record.curated = false
        record.featured = false
        record.publishedAt = nil
        record.updatedAt = now
        try record.update(db)
        let replies = try ReviewReplies.of(db, reviewIDs: [record.id], includePrivate: true)
        return Crm_Trust_V1_EditReviewResponse.with { $0.review = record.message(replies: replies[record.id] ?? []) }
      }
    }
    return try result.get()
  }

  public func deleteReview(
    request: Crm_Trust_V1_DeleteReviewRequest,
    context: ServerContext
  ) async throws -> Crm_Trust_V1_DeleteReviewResponse {
    try FieldValidation.requireID(request.reviewID, field: "review_id")
    try await store.database.write { db in
      guard let record = try ReviewRecord.fetchOne(db, key: request.reviewID) else {
        throw ServiceError.notFound("review \(FieldValidation.quoted(request.reviewID))")
      }
      if record.isPublished { try ReviewAggregates.add(db, review: record, sign: -1) }
      // Replies and votes go with it (foreign keys cascade).
      try record.delete(db)
    }
    return .init()
  }

  /// The checks shared by CreateReview and EditReview; `prefix` is the path of the message
  /// that holds the fields (`review.` or none).
  func validateContent(rating: Int32, title: String, text: String, photos: [String], prefix: String) throws(ServiceError) {
    try FieldValidation.require(rating, in: 1...5, field: "\(prefix)rating")
    try FieldValidation.limitText(title, field: "\(prefix)title", maxLength: 200)
    try FieldValidation.requireText(text, field: "\(prefix)text", maxLength: 5000)
    if photos.count > policy.maxPhotos {
      throw .invalidArgument(field: "\(prefix)photo_refs", reason: "must hold at most \(policy.maxPhotos) photos")
    }
    for (index, photo) in photos.enumerated() {
      let field = "\(prefix)photo_refs[\(index)]"
      if photo.isEmpty || photo.contains(where: \.isNewline) {
        throw .invalidArgument(field: field, reason: "must be a non-empty reference on one line")
      }
      try FieldValidation.limitText(photo, field: field, maxLength: policy.maxPhotoReferenceLength)
    }
  }
}

extension ReviewRecord {
  func message(replies: [Crm_Trust_V1_ReviewReply]) -> Crm_Trust_V1_Review {
    .with {
      $0.reviewID = id
      $0.customerID = customerID
      $0.productID = productID
      $0.rating = Int32(rating)
      $0.title = title
      $0.text = text
      $0.orderID = orderID
      $0.status = Crm_Trust_V1_ReviewStatus(rawValue: status) ?? .unspecified
      $0.createTime = Google_Protobuf_Timestamp(storeDate: createdAt)
      $0.businessID = businessID
      $0.photoRefs = photoList
      $0.verified = verified
      $0.precheckFlags = precheckFlags.isEmpty ? [] : precheckFlags.components(separatedBy: ",")
      $0.rejectionReason = rejectionReason
      $0.curated = curated
      $0.featured = featured
      $0.helpfulCount = Int64(helpfulCount)
      if let updatedAt { $0.updateTime = Google_Protobuf_Timestamp(storeDate: updatedAt) }
      if let publishedAt { $0.publishTime = Google_Protobuf_Timestamp(storeDate: publishedAt) }
      $0.replies = replies
    }
  }
}
