import Contracts
import GRPCCore
import Logging
import ServiceKit

/// `crm.trust.v1.TrustService`: reviews, credentials, guarantees and claims.
public struct TrustService: Sendable {
  let store: TrustStore
  let clock: any WallClock
  let logger: Logger

  /// Creates the service over its store.
  public init(store: TrustStore, clock: any WallClock, logger: Logger) {
    self.store = store
    self.clock = clock
    self.logger = logger
  }
}
