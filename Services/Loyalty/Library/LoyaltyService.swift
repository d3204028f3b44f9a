import Contracts
import GRPCCore
import Logging
import ServiceKit

/// `crm.loyalty.v1.LoyaltyService`: the points ledger, tiers, rewards and coupons.
public struct LoyaltyService: Sendable {
  let store: LoyaltyStore
  let clock: any WallClock
  let logger: Logger

  /// Creates the service over its store.
  public init(store: LoyaltyStore, clock: any WallClock, logger: Logger) {
    self.store = store
    self.clock = clock
    self.logger = logger
  }
}
