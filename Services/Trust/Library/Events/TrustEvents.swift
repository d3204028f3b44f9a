import Contracts
import Foundation
import GRDB
import ServiceKit
import SwiftProtobuf

/// What trust tells the other services, recorded in its outbox in the same transaction as
/// the change (so an event exists exactly when its change does).
enum TrustEvents {
  /// A low-rated published review opens a complaint.
  static let reviewPublishedConsumers: [SuiteService] = [.feedback]
  /// An approved refund claim takes back the points of its order.
  static let refundClaimConsumers: [SuiteService] = [.loyalty]
  /// Reviews are activity: the profile's last-activity moves.
  static let activityConsumers: [SuiteService] = [.segmentation]

  /// Every service trust sends events to, derived from the per-kind consumers.
  static var destinations: [SuiteService] {
    SuiteService.allCases.filter {
      reviewPublishedConsumers.contains($0) || refundClaimConsumers.contains($0) || activityConsumers.contains($0)
    }
  }

  static func reviewSubmitted(_ db: Database, review: ReviewRecord, now: Date) throws {
    let event = EventStore.event(
      from: .trust, customerID: review.customerID, at: now,
      payload: .customerActivity(.with {
        $0.kind = "review"
        $0.activityTime = Google_Protobuf_Timestamp(storeDate: now)
      }))
    try EventStore.enqueue(db, event, to: activityConsumers, now: now)
  }

  static func lowRatedReviewPublished(_ db: Database, review: ReviewRecord, now: Date) throws {
    let event = EventStore.event(
      from: .trust, customerID: review.customerID, at: now,
      payload: .reviewPublished(.with {
        $0.reviewID = review.id
        $0.productID = review.productID
        $0.rating = Int32(review.rating)
        $0.title = review.title
      }))
    try EventStore.enqueue(db, event, to: reviewPublishedConsumers, now: now)
  }
}

extension TrustEvents {
  static func refundClaimApproved(_ db: Database, claim: ClaimRecord, now: Date) throws {
    let event = EventStore.event(
      from: .trust, customerID: claim.customerID, at: now,
      payload: .refundClaimApproved(.with {
        $0.claimID = claim.id
        $0.orderID = claim.orderID
        // The order is refunded in full (what is paid on top is compensation, not a refund).
        $0.refundAmount = .with { $0.amountMinor = claim.orderAmountMinor; $0.currency = claim.currency }
        $0.orderAmount = .with { $0.amountMinor = claim.orderAmountMinor; $0.currency = claim.currency }
      }))
    try EventStore.enqueue(db, event, to: refundClaimConsumers, now: now)
  }
}

extension TrustService {
  /// The services trust delivers events to.
  public static var eventDestinations: [SuiteService] { TrustEvents.destinations }
}
