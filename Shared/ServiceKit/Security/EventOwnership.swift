import Contracts
import GRPCCore

/// Which service may send which kind of event: a receiver applies an event only from the
/// service that owns its kind, and only when the event names that service as its source, so
/// a caller that may deliver events still cannot speak for another service.
public enum EventOwnership {
  /// The services that emit `payload`.
  public static func owners(of payload: Crm_Events_V1_Event.OneOf_Payload) -> Set<SuiteService> {
    switch payload {
    case .purchaseRecorded, .purchaseRefunded, .customerRegistered, .lifecycleStageChanged: [.segmentation]
    case .reviewPublished, .refundClaimApproved: [.trust]
    case .complaintResolved: [.feedback]
    case .loyaltyTierChanged: [.loyalty]
    case .customerActivity: [.interaction, .feedback, .trust]
    }
  }

  /// The kind's name, as the proto field.
  static func kind(of payload: Crm_Events_V1_Event.OneOf_Payload) -> String {
    switch payload {
    case .purchaseRecorded: "purchase_recorded"
    case .purchaseRefunded: "purchase_refunded"
    case .customerRegistered: "customer_registered"
    case .lifecycleStageChanged: "lifecycle_stage_changed"
    case .reviewPublished: "review_published"
    case .refundClaimApproved: "refund_claim_approved"
    case .complaintResolved: "complaint_resolved"
    case .loyaltyTierChanged: "loyalty_tier_changed"
    case .customerActivity: "customer_activity"
    }
  }

  /// Refuses the batch (PERMISSION_DENIED, nothing applied) when `identity` did not emit one
  /// of its events. With auth off there is no identity and nothing to check.
  public static func check(_ events: [Crm_Events_V1_Event], from identity: CallerIdentity?) throws {
    guard let identity, identity.proof != .none else { return }
    for (index, event) in events.enumerated() {
      guard let payload = event.payload else { continue }
      let owners = owners(of: payload)
      guard let sender = identity.service, owners.contains(sender), event.source == sender.rawValue else {
        let names = owners.map(\.rawValue).sorted().joined(separator: " or ")
        throw RPCError(
          code: .permissionDenied,
          message: "events[\(index)]: \(kind(of: payload)) events are accepted only from \(names)")
      }
    }
  }
}
