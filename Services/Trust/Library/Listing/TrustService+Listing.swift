import Contracts
import Foundation
import GRDB
import GRPCCore
import ServiceKit

extension TrustService {
  public func listReviews(
    request: Crm_Trust_V1_ListReviewsRequest,
    context: ServerContext
  ) async throws -> Crm_Trust_V1_ListReviewsResponse {
    try FieldValidation.requireID(request.productID, field: "product_id")
    try FieldValidation.optionalKnown(request.sort, field: "sort")
    try FieldValidation.require(request.rating, in: 0...5, field: "rating")
    let size = try Self.pageSize(request.page)
    var query = ReviewListingQuery(
      productID: request.productID, sort: request.sort == .unspecified ? .newest : request.sort,
      rating: Int(request.rating), verifiedOnly: request.verifiedOnly, withPhotosOnly: request.withPhotosOnly,
      after: nil, limit: size + 1)
    if !request.page.pageToken.isEmpty {
      query.after = try ReviewCursor(token: request.page.pageToken, listing: query.listing)
    }
    return try await store.database.read { [query] db in
      let (sql, arguments) = query.sql
      let rows = try Row.fetchAll(db, sql: sql, arguments: arguments)
      let page = Array(rows.prefix(size))
      let records = try page.map { try ReviewRecord(row: $0) }
      let replies = try ReviewReplies.of(db, reviewIDs: records.map(\.id), includePrivate: false)
      var response = Crm_Trust_V1_ListReviewsResponse()
      response.reviews = records.map { $0.message(replies: replies[$0.id] ?? []) }
      if rows.count > size, let last = page.last {
        response.page.nextPageToken = try query.cursor(after: last).token()
      }
      return response
    }
  }

  public func getProductSummary(
    request: Crm_Trust_V1_GetProductSummaryRequest,
    context: ServerContext
  ) async throws -> Crm_Trust_V1_GetProductSummaryResponse {
    try FieldValidation.requireID(request.productID, field: "product_id")
    let weight = policy.bayesianPriorWeight
    return try await store.database.read { db in
      try .with {
        $0.summary = try ReviewAggregates.summary(
          db, scope: ReviewAggregates.product, subjectID: request.productID, priorWeight: weight)
      }
    }
  }

  public func getBusinessSummary(
    request: Crm_Trust_V1_GetBusinessSummaryRequest,
    context: ServerContext
  ) async throws -> Crm_Trust_V1_GetBusinessSummaryResponse {
    try FieldValidation.requireID(request.businessID, field: "business_id")
    let weight = policy.bayesianPriorWeight
    return try await store.database.read { db in
      try .with {
        $0.summary = try ReviewAggregates.summary(
          db, scope: ReviewAggregates.business, subjectID: request.businessID, priorWeight: weight)
      }
    }
  }
}
