import Contracts
import GRDB
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
  /// Groups concurrent purchases into shared transactions; nil writes each in its own
  /// transaction (kept to measure the difference).
  public let purchaseWriter: GroupCommitWriter?

  /// Creates the service over its store.
  ///
  /// - Parameter groupCommit: whether concurrent `RecordPurchase` calls share transactions (see
  ///   `GroupCommitWriter`); off, each call commits its own transaction.
  public init(
    store: SegmentationStore, clock: any WallClock, logger: Logger,
    lifecycle: LifecyclePolicy = LifecyclePolicy(),
    groupCommit: Bool = true
  ) {
    self.store = store
    self.clock = clock
    self.logger = logger
    self.lifecycle = lifecycle
    self.purchaseWriter = groupCommit ? GroupCommitWriter(database: store.database) : nil
  }

  /// Runs one purchase write and returns once it is committed: in a shared transaction when
  /// grouping, else in its own.
  func writePurchase<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T)
    async throws -> T
  {
    try await GroupCommitWriter.write(through: purchaseWriter, or: store.database, body)
  }
}
