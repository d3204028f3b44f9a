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
    try FieldValidation.require(review.rating, in: 1...5, field: "review.rating")
    try FieldValidation.limitText(review.title, field: "review.title", maxLength: 200)
    try FieldValidation.requireText(review.text, field: "review.text", maxLength: 5000)
    try FieldValidation.limitText(review.orderID, field: "review.order_id", maxLength: 128)

    let now = clock.now()
    let record = ReviewRecord(
      id: UUID().uuidString.lowercased(),
      customerID: review.customerID,
      productID: review.productID,
      rating: Int(review.rating),
      title: review.title,
      text: review.text,
      orderID: review.orderID,
      status: Crm_Trust_V1_ReviewStatus.pending.rawValue,
      createdAt: now)
    let result = try await store.database.write { db in
      try IdempotencyLedger.run(db, scope: "CreateReview", key: key, request: request, now: now) { db in
        let existing = try ReviewRecord
          .filter(ReviewRecord.Columns.customerID == record.customerID && ReviewRecord.Columns.productID == record.productID)
          .fetchCount(db)
        guard existing == 0 else {
          throw ServiceError.alreadyExists(
            "customer \(record.customerID) already reviewed product \(record.productID); edit that review instead")
        }
        try record.insert(db)
        return Crm_Trust_V1_CreateReviewResponse.with { $0.review = record.message }
      }
    }
    return try result.get()
  }

  public func getReview(
    request: Crm_Trust_V1_GetReviewRequest,
    context: ServerContext
  ) async throws -> Crm_Trust_V1_GetReviewResponse {
    try FieldValidation.requireID(request.reviewID, field: "review_id")
    guard let record = try await store.database.read({ try ReviewRecord.fetchOne($0, key: request.reviewID) }) else {
      throw ServiceError.notFound("review \(request.reviewID)")
    }
    return .with { $0.review = record.message }
  }
}

extension ReviewRecord {
  var message: Crm_Trust_V1_Review {
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
    }
  }
}
