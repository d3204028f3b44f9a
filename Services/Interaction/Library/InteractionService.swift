import Contracts
import GRPCCore
import Logging
import ServiceKit

/// `crm.interaction.v1.InteractionService`: moments, care plans, tasks and the timeline.
public struct InteractionService: Sendable {
  let store: InteractionStore
  let clock: any WallClock
  let logger: Logger
  /// Where tiers, time zones and names come from; nil runs on the local copies alone (tests
  /// that do not need segmentation).
  let directory: SegmentationDirectory?
  let pageLimits: PageLimits

  /// Creates the service over its store; `directory` reads profiles from segmentation.
  public init(
    store: InteractionStore, clock: any WallClock, logger: Logger,
    directory: SegmentationDirectory? = nil, pageLimits: PageLimits = PageLimits()
  ) {
    self.store = store
    self.clock = clock
    self.logger = logger
    self.directory = directory
    self.pageLimits = pageLimits
  }
}
