import Contracts
import Foundation
import GRDB
import ServiceKit

/// Feedback's side of the suite's flows: a low-rated review published in trust opens a
/// complaint here.
///
/// Each event is applied inside the sink's transaction, at most once per event id. The review id
/// is the new ticket's client request id: a review edited and published again (a new event)
/// opens no second complaint.
extension FeedbackService: EventApplier {
  /// The highest rating that opens a complaint (trust sends only these; checked here too).
  static let complaintRating: ClosedRange<Int32> = 1...2

  public func apply(_ event: Crm_Events_V1_Event, in db: Database, now: Date) throws {
    switch event.payload {
    case .reviewPublished(let review):
      guard Self.complaintRating.contains(review.rating) else { return }
      try FieldValidation.requireID(event.customerID, field: "customer_id")
      let request = Crm_Feedback_V1_CreateTicketRequest.with {
        $0.ticket = .with {
          $0.customerID = event.customerID
          $0.kind = .complaint
          // The lowest rating is the angriest customer: answered in the urgent tier.
          $0.priority = review.rating == 1 ? .urgent : .normal
          $0.channel = .review
          $0.category = Self.reviewCategory
          $0.text = String(
            "Review \(review.reviewID) of product \(review.productID) rated \(review.rating): \(review.title)"
              .prefix(5000))
        }
        $0.idempotencyKey.key = "review-\(review.reviewID)"
      }
      let key = try IdempotencyLedger.validatedKey(request.idempotencyKey.key, field: "review_id")
      do {
        _ = try Self.openTicket(db, request: request, key: key, tier: nil, now: now).get()
      } catch ServiceError.alreadyExists {
        // The review's complaint is already open (its first publication); nothing more to do.
      }
    default:
      // Events feedback does not act on are acknowledged and ignored.
      return
    }
  }

  /// Where a complaint from a review is filed: a seeded category, so it always exists.
  static let reviewCategory = "product/quality"
}
