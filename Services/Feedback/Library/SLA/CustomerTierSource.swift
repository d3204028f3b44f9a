import Foundation
import ServiceKit

/// Where feedback learns a customer's tier for the SLA policies that select by tier.
public protocol CustomerTierSource: Sendable {
  /// The customer's tier ("" for none); throws when it cannot be learned.
  func tier(of customerID: String) async throws -> String
}

extension SegmentationDirectory: CustomerTierSource {
  /// The tier segmentation gives the profile, or the last copy seen when segmentation is down.
  public func tier(of customerID: String) async throws -> String {
    try await customer(customerID).customer.tier
  }
}

extension FeedbackService {
  /// The tier policies select by, or nil when none selects by tier or the tier cannot be
  /// learned (the peer's deadline bounds the wait); a ticket is never refused for it.
  func customerTier(_ customerID: String) async throws -> String? {
    guard let tiers else { return nil }
    guard try await store.database.read(SLAPolicyRecord.anySelectsByTier) else { return nil }
    do {
      return try await tiers.tier(of: customerID)
    } catch {
      logger.info(
        "customer tier unknown; policies without a tier apply",
        metadata: ["customer_id": "\(customerID)", "error": "\(error)"])
      return nil
    }
  }
}
