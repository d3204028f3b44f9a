import Contracts
import Foundation
import GRDB
import GRPCCore
import ServiceKit

extension TrustService {
  /// The trust goal's figures over [from, to): what the playbook's "trust +30%" is judged by.
  public func getTrustFigures(
    request: Crm_Trust_V1_GetTrustFiguresRequest,
    context: ServerContext
  ) async throws -> Crm_Trust_V1_GetTrustFiguresResponse {
    guard request.hasFrom else { throw ServiceError.invalidArgument(field: "from", reason: "is required") }
    guard request.hasTo, request.to.date > request.from.date else {
      throw ServiceError.invalidArgument(field: "to", reason: "must be after from")
    }
    let from = request.from.date
    let to = request.to.date
    return try await store.database.read { db in
      var figures = Crm_Trust_V1_GetTrustFiguresResponse()
      let period: StatementArguments = [from, to]
      figures.reviewsSubmitted = try Int64.fetchOne(db, sql: Self.reviewsSubmittedSQL, arguments: period) ?? 0
      if let row = try Row.fetchOne(db, sql: Self.reviewsPublishedSQL, arguments: period) {
        figures.reviewsPublished = row["n"]
        figures.averageRating = row["mean"]
        figures.verifiedShare = row["verified"]
      }
      figures.claimsFiled = try Int64.fetchOne(
        db, sql: "SELECT COUNT(*) FROM claim WHERE filed_at >= ? AND filed_at < ?", arguments: period) ?? 0
      let decisions = try Row.fetchAll(
        db, sql: "SELECT decision, COUNT(*) AS n FROM claim WHERE decided_at >= ? AND decided_at < ? GROUP BY decision",
        arguments: period)
      for row in decisions {
        let decision: Int = row["decision"]
        if decision == Crm_Trust_V1_ClaimStatus.approved.rawValue { figures.claimsApproved = row["n"] }
        if decision == Crm_Trust_V1_ClaimStatus.rejected.rawValue { figures.claimsRejected = row["n"] }
      }
      let decided = figures.claimsApproved + figures.claimsRejected
      figures.approvalRate = decided == 0 ? 0 : Double(figures.claimsApproved) / Double(decided)
      let hoursToSettle = try Double.fetchAll(
        db,
        sql: """
          SELECT (julianday(settled_at) - julianday(filed_at)) * 24 AS hours FROM claim
          WHERE settled_at >= ? AND settled_at < ? ORDER BY hours
          """, arguments: period)
      figures.claimsSettled = Int64(hoursToSettle.count)
      figures.medianHoursToSettle = Self.median(ofSorted: hoursToSettle)
      if let row = try Row.fetchOne(
        db,
        sql: """
          SELECT COUNT(*) AS n, COALESCE(AVG(first_response_at <= response_due_at), 0) AS met
          FROM claim WHERE first_response_at >= ? AND first_response_at < ?
          """, arguments: period)
      {
        figures.claimsResponded = row["n"]
        figures.responseMetShare = row["met"]
      }
      return figures
    }
  }

  /// Reviews submitted in [from, to): a count over `review_by_created`.
  static let reviewsSubmittedSQL = "SELECT COUNT(*) FROM review WHERE created_at >= ? AND created_at < ?"

  /// Reviews published in [from, to) with their mean rating and verified share, read from the
  /// covering index `review_published_figures` alone.
  static let reviewsPublishedSQL = """
    SELECT COUNT(*) AS n, COALESCE(AVG(rating), 0) AS mean, COALESCE(AVG(verified), 0) AS verified
    FROM review WHERE status = \(ReviewStatus.published) AND published_at >= ? AND published_at < ?
    """

  /// The middle value (the mean of the two middle ones for an even count); 0 when empty.
  static func median(ofSorted values: [Double]) -> Double {
    guard !values.isEmpty else { return 0 }
    let middle = values.count / 2
    let value = values.count % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2
    // julianday arithmetic carries float noise; a millisecond is the store's resolution.
    return (value * 3_600_000).rounded() / 3_600_000
  }
}
