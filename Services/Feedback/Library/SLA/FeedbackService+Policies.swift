import Contracts
import Foundation
import GRDB
import GRPCCore
import ServiceKit
import SwiftProtobuf

extension FeedbackService {
  /// Adds an SLA policy; tickets created from now on may select it.
  public func createSlaPolicy(
    request: Crm_Feedback_V1_CreateSlaPolicyRequest,
    context: ServerContext
  ) async throws -> Crm_Feedback_V1_CreateSlaPolicyResponse {
    let key = try IdempotencyLedger.validatedKey(
      request.idempotencyKey.key, field: "idempotency_key.key")
    let policy = request.policy
    try SLAPolicyRecord.validateID(policy.policyID, field: "policy.policy_id")
    if policy.rank <= 0 {
      throw ServiceError.invalidArgument(field: "policy.rank", reason: "must be positive")
    }
    try FieldValidation.optionalKnown(policy.kind, field: "policy.kind")
    try FieldValidation.optionalKnown(policy.priority, field: "policy.priority")
    try FieldValidation.optionalKnown(policy.channel, field: "policy.channel")
    if !policy.categoryPrefix.isEmpty {
      try CategoryPath.validate(policy.categoryPrefix, field: "policy.category_prefix")
    }
    if !policy.customerTier.isEmpty {
      try FieldValidation.requireText(
        policy.customerTier, field: "policy.customer_tier", maxLength: 64)
    }
    var draft = SLAPolicyRecord(
      id: policy.policyID, rank: Int(policy.rank), kind: policy.kind.rawValue,
      priority: policy.priority.rawValue, channel: policy.channel.rawValue,
      categoryPrefix: policy.categoryPrefix,
      firstResponseSeconds: try SLAPolicyRecord.seconds(
        policy.firstResponse, set: policy.hasFirstResponse, field: "policy.first_response"),
      nextUpdateSeconds: try SLAPolicyRecord.seconds(
        policy.nextUpdate, set: policy.hasNextUpdate, field: "policy.next_update"),
      resolutionSeconds: try SLAPolicyRecord.seconds(
        policy.resolution, set: policy.hasResolution, field: "policy.resolution"),
      customerTier: policy.customerTier)
    if policy.hasCalendar {
      let calendar = try BusinessCalendar(policy.calendar, field: "policy.calendar")
      let encoder = JSONEncoder()
      encoder.outputFormatting = .sortedKeys
      draft.calendar = String(decoding: try encoder.encode(calendar), as: UTF8.self)
    }
    let record = draft

    let now = clock.now()
    let result = try await store.database.write { db in
      // Categories are never deleted: checked outside the ledger, a rejection is not recorded.
      if !record.categoryPrefix.isEmpty, try !CategoryRecord.exists(db, key: record.categoryPrefix)
      {
        throw ServiceError.invalidArgument(
          field: "policy.category_prefix",
          reason: "\(FieldValidation.quoted(record.categoryPrefix)) is not in the category tree")
      }
      return try IdempotencyLedger.run(
        db, scope: "CreateSlaPolicy", key: key, request: request, now: now
      ) { db in
        if try SLAPolicyRecord.exists(db, key: record.id) {
          throw ServiceError.alreadyExists("SLA policy \(record.id) already exists")
        }
        if try SLAPolicyRecord.filter(SLAPolicyRecord.Columns.rank == record.rank).fetchCount(db)
          > 0
        {
          throw ServiceError.alreadyExists("another SLA policy has rank \(record.rank)")
        }
        try record.insert(db)
        return Crm_Feedback_V1_CreateSlaPolicyResponse.with { $0.policy = record.message }
      }
    }
    return try result.get()
  }

  /// The SLA policies in the order a new ticket tries them.
  public func listSlaPolicies(
    request: Crm_Feedback_V1_ListSlaPoliciesRequest,
    context: ServerContext
  ) async throws -> Crm_Feedback_V1_ListSlaPoliciesResponse {
    let size = try paging.size(of: request.page)
    let listing = "sla-policies"
    let after = try PageCursor.decode(request.page, listing: listing).map {
      token throws(ServiceError) in
      guard let rank = Int(token) else {
        throw ServiceError.invalidArgument(
          field: "page.page_token", reason: "is not a token this service issued")
      }
      return rank
    }
    let policies = try await store.database.read { db in
      try SLAPolicyRecord
        .filter(SLAPolicyRecord.Columns.rank > (after ?? Int.min))
        .order(SLAPolicyRecord.Columns.rank)
        .limit(size + 1)
        .fetchAll(db)
    }
    let page = policies.prefix(size)
    return .with {
      $0.policies = page.map(\.message)
      $0.page.nextPageToken = PageCursor.token(
        listing: listing, after: page.last.map { String($0.rank) }, hasMore: policies.count > size)
    }
  }

}

extension SLAPolicyRecord {
  /// The longest clock a policy may set: beyond a year a promise means nothing.
  static let maxAllowance: Int64 = 365 * 86400

  /// Checks a policy id: short, lower-case, readable in logs and events.
  static func validateID(_ id: String, field: String) throws(ServiceError) {
    guard (1...64).contains(id.count),
      id.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" })
    else {
      throw .invalidArgument(field: field, reason: "must be 1 to 64 characters of a-z, 0-9 and '-'")
    }
  }

  /// A required duration in whole seconds, from 1 second to a year.
  static func seconds(
    _ duration: Google_Protobuf_Duration, set: Bool, field: String
  ) throws(ServiceError) -> Int {
    guard set else { throw .invalidArgument(field: field, reason: "is required") }
    guard duration.nanos == 0, (1...maxAllowance).contains(duration.seconds) else {
      throw .invalidArgument(
        field: field, reason: "must be whole seconds from 1 second to 365 days")
    }
    return Int(duration.seconds)
  }
}
