import Contracts
import Foundation
import GRDB
import ServiceKit

/// Segmentation's side of the suite's flows: activity seen by interaction, feedback and trust
/// moves a profile's last activity (and so its stage), and loyalty's tier changes reach the
/// profile. Applied inside the sink's transaction, once per event id.
extension SegmentationService: EventApplier {
  public func apply(_ event: Crm_Events_V1_Event, in db: Database, now: Date) throws {
    switch event.payload {
    case .customerActivity(let activity):
      guard activity.hasActivityTime else {
        throw ServiceError.invalidArgument(
          field: "customer_activity.activity_time", reason: "is required")
      }
      let kind = activity.kind.isEmpty ? event.source : activity.kind
      // The event id is the activity's id: the sink already applies each event once.
      _ = try Self.applyActivity(
        db, customerID: event.customerID, activityID: "event:\(event.eventID)", kind: kind,
        at: min(activity.activityTime.date, now.addingTimeInterval(NewPurchase.maxClockSkew)),
        body: try event.serializedBytes(), now: now, policy: lifecycle)
    case .loyaltyTierChanged(let change):
      let (customer, _) = try CustomerLookup.live(db, id: event.customerID)
      var updated = customer
      updated.loyaltyTier = change.toTier
      guard updated != customer else { return }
      updated.updatedAt = now
      try updated.update(db)
      try ProfileRefresh.apply(db, record: updated, now: now, policy: lifecycle, cause: "loyalty_tier")
    default:
      // Events segmentation does not act on are acknowledged and ignored.
      return
    }
  }
}
