import Contracts
import GRPCCore
import Logging
import ServiceKit

/// `crm.interaction.v1.InteractionService`: moments, care plans, tasks and the timeline.
public struct InteractionService: Sendable {
  let store: InteractionStore
  let clock: any WallClock
  let logger: Logger

  /// Creates the service over its store.
  public init(store: InteractionStore, clock: any WallClock, logger: Logger) {
    self.store = store
    self.clock = clock
    self.logger = logger
  }
}
