import Contracts
import GRPCCore
import Logging
import ServiceKit

/// `crm.loyalty.v1.LoyaltyService`: the points ledger, tiers, rewards and coupons.
public struct LoyaltyService: Sendable {
  let store: LoyaltyStore
  let clock: any WallClock
  let logger: Logger
  let expiryPolicy: PointsExpiryPolicy
  let expiryBatchSize: Int

  /// Creates the service over its store.
  ///
  /// - Parameters:
  ///   - expiryPolicy: how long earned points stay valid (12 months by default).
  ///   - expiryBatchSize: the most lots one `RunExpiry` call expires (and the number when the
  ///     caller sets no limit), so that one call never holds the store's writer for long.
  public init(
    store: LoyaltyStore,
    clock: any WallClock,
    logger: Logger,
    expiryPolicy: PointsExpiryPolicy = PointsExpiryPolicy(),
    expiryBatchSize: Int = 1000
  ) {
    precondition(expiryBatchSize > 0, "an expiry run must expire at least one lot")
    self.store = store
    self.clock = clock
    self.logger = logger
    self.expiryPolicy = expiryPolicy
    self.expiryBatchSize = expiryBatchSize
  }
}
