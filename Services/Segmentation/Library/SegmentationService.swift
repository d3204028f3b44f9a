import Contracts
import GRPCCore
import Logging
import ServiceKit

/// `crm.segmentation.v1.SegmentationService`: profiles, identities, purchases and tiers.
public struct SegmentationService: Sendable {
  let store: SegmentationStore
  let clock: any WallClock
  let logger: Logger
  /// The windows of the lifecycle stages.
  let lifecycle: LifecyclePolicy

  /// Creates the service over its store.
  public init(
    store: SegmentationStore, clock: any WallClock, logger: Logger,
    lifecycle: LifecyclePolicy = LifecyclePolicy()
  ) {
    self.store = store
    self.clock = clock
    self.logger = logger
    self.lifecycle = lifecycle
  }
}
