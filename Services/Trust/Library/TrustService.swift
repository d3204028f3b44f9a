import Contracts
import GRPCCore
import Logging
import ServiceKit

/// `crm.trust.v1.TrustService`: reviews, credentials, guarantees and claims.
public struct TrustService: Sendable {
  let store: TrustStore
  let clock: any WallClock
  let logger: Logger
  /// Segmentation's purchase records; nil when none is configured (every review unverified).
  let purchases: (any PurchaseRecords)?
  let policy: ReviewPolicy

  /// Creates the service over its store; `purchases` answers verified-purchase checks.
  public init(
    store: TrustStore, clock: any WallClock, logger: Logger,
    purchases: (any PurchaseRecords)? = nil, policy: ReviewPolicy = ReviewPolicy()
  ) {
    self.store = store
    self.clock = clock
    self.logger = logger
    self.purchases = purchases
    self.policy = policy
  }

  var verification: PurchaseVerification { PurchaseVerification(records: purchases, policy: policy) }
}
