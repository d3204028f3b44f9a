import Contracts
import Foundation
import GRDB
import ServiceKit

/// Interaction's side of the suite's flows: registrations, first purchases, customers turning
/// dormant (segmentation) and resolved complaints (feedback) become moments whose plans create
/// the care tasks.
///
/// Applied inside the sink's write transaction, so segmentation is never called here: the
/// tier is the local copy's (kept fresh by RPCs that read segmentation), else the plan for any
/// tier, and the moment records which. The event id is the occurrence id, so a redelivered
/// event creates nothing new even past the inbox.
extension InteractionService: EventApplier {
  public func apply(_ event: Crm_Events_V1_Event, in db: Database, now: Date) throws {
    let customerID = event.customerID
    guard !customerID.isEmpty else {
      throw ServiceError.invalidArgument(field: "customer_id", reason: "is required")
    }
    var facts = try CustomerFacts.local(db, customerID: customerID)
    let occurredAt = event.hasOccurTime ? event.occurTime.date : now
    let kind: String
    var at = occurredAt
    switch event.payload {
    case .customerRegistered(let registered):
      // The event carries the name and zone: keep them for caps, quiet hours and templates.
      facts.displayName = registered.displayName
      if !registered.timeZone.isEmpty { facts.timeZone = registered.timeZone }
      if facts.lifecycleStage.isEmpty { facts.lifecycleStage = "new" }
      try facts.save(db, now: now)
      kind = "registration"
    case .purchaseRecorded(let purchase):
      guard purchase.firstPurchase else { return }
      kind = "first_purchase"
      if purchase.hasPurchaseTime { at = purchase.purchaseTime.date }
    case .lifecycleStageChanged(let change):
      facts.lifecycleStage = change.toStage
      try facts.save(db, now: now)
      guard change.toStage == "dormant" else { return }
      kind = "churn_warning"
    case .complaintResolved(let resolved):
      kind = "complaint_resolved"
      if resolved.hasResolvedTime { at = resolved.resolvedTime.date }
    default:
      // Events interaction does not act on are acknowledged and ignored.
      return
    }
    _ = try MomentPlanner.record(
      db, customerID: customerID, kind: kind, occurrenceID: event.eventID, occurredAt: at, facts: facts, now: now)
  }
}

/// What interaction tells the other services, recorded in its outbox in the same transaction
/// as the change.
public enum InteractionEvents {
  /// Consumers of activity: segmentation keeps the profile's last activity.
  static let activityConsumers: [SuiteService] = [.segmentation]

  /// Every service interaction sends events to, for the relay and the status RPC.
  public static var destinations: [SuiteService] {
    SuiteService.allCases.filter { activityConsumers.contains($0) }
  }

  static func activity(_ db: Database, customerID: String, at time: Date, now: Date) throws {
    let event = EventStore.event(
      from: .interaction, customerID: customerID, at: now,
      payload: .customerActivity(.with {
        $0.kind = "interaction"
        $0.activityTime = .init(storeDate: time)
      }))
    try EventStore.enqueue(db, event, to: activityConsumers, now: now)
  }
}
