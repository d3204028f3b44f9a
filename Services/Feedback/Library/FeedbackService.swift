import Contracts
import GRPCCore
import Logging
import ServiceKit

/// `crm.feedback.v1.FeedbackService`: tickets on SLA clocks and the closed loop.
public struct FeedbackService: Sendable {
  let store: FeedbackStore
  let clock: any WallClock
  let logger: Logger
  let firstResponse = FirstResponsePolicy()

  /// Creates the service over its store.
  public init(store: FeedbackStore, clock: any WallClock, logger: Logger) {
    self.store = store
    self.clock = clock
    self.logger = logger
  }
}
