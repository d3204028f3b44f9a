import Contracts
import Foundation
import GRDB
import GRPCCore
import ServiceKit
import SwiftProtobuf

extension SegmentationService {
  /// `ReportActivity`: an activity seen by another service moves the profile's last activity.
  public func reportActivity(
    request: Crm_Segmentation_V1_ReportActivityRequest,
    context: ServerContext
  ) async throws -> Crm_Segmentation_V1_ReportActivityResponse {
    try FieldValidation.requireID(request.customerID, field: "customer_id")
    let activityID = try NewPurchase.callerKey(request.activityID, field: "activity_id")
    try FieldValidation.requireText(request.kind, field: "kind", maxLength: 64)
    let now = clock.now()
    let activityAt = try Self.activityTime(
      request.activityTime, present: request.hasActivityTime, field: "activity_time", now: now)
    let body = try NewPurchase.deterministicBytes(request)
    let policy = lifecycle
    return try await store.database.write { db in
      if let existing = try ActivityRecord.fetchOne(db, key: activityID) {
        guard existing.requestBody == body else {
          throw ServiceError.alreadyExists(
            "activity \(activityID) was already reported with a different body")
        }
        let (customer, _) = try CustomerLookup.live(db, id: existing.customerID)
        return try .with { $0.customer = try CustomerProfile.message(db, record: customer, now: now) }
      }
      let updated = try Self.applyActivity(
        db, customerID: request.customerID, activityID: activityID, kind: request.kind,
        at: activityAt, body: body, now: now, policy: policy)
      return try .with { $0.customer = try CustomerProfile.message(db, record: updated, now: now) }
    }
  }

  /// Records an activity and moves the profile's last activity, stage and tier with it.
  static func applyActivity(
    _ db: Database, customerID: String, activityID: String, kind: String, at activityAt: Date,
    body: Data, now: Date, policy: LifecyclePolicy
  ) throws -> CustomerRecord {
    let (customer, _) = try CustomerLookup.live(db, id: customerID)
    try ActivityRecord(
      activityID: activityID, customerID: customer.id, kind: kind, activityAt: activityAt,
      recordedAt: now, requestBody: body
    ).insert(db)
    var updated = customer
    updated.lastActivityAt = max(customer.lastActivityAt ?? activityAt, activityAt)
    if updated != customer {
      updated.updatedAt = now
      try updated.update(db)
    }
    return try ProfileRefresh.apply(
      db, record: updated, now: now, policy: policy, cause: "activity:\(kind)")
  }

  /// A caller's activity time, valid and not ahead of the clock by more than the purchase skew.
  static func activityTime(
    _ timestamp: Google_Protobuf_Timestamp, present: Bool, field: String, now: Date
  ) throws(ServiceError) -> Date {
    if !present { throw .invalidArgument(field: field, reason: "is required") }
    guard (0..<1_000_000_000).contains(timestamp.nanos),
      (1...253_402_300_799).contains(timestamp.seconds)
    else { throw .invalidArgument(field: field, reason: "is not a valid time") }
    let date = Google_Protobuf_Timestamp(storeDate: timestamp.date).date
    if date > now.addingTimeInterval(NewPurchase.maxClockSkew) {
      throw .invalidArgument(field: field, reason: "is in the future")
    }
    return date
  }
}
