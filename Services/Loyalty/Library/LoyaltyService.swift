import Contracts
import GRDB
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
  /// Groups concurrent earns, redeems and reversals into shared transactions; nil writes each
  /// in its own transaction (kept to measure the difference).
  public let pointsWriter: GroupCommitWriter?

  /// Creates the service over its store.
  ///
  /// - Parameters:
  ///   - expiryPolicy: how long earned points stay valid (12 months by default).
  ///   - expiryBatchSize: the most lots one `RunExpiry` call expires (and the number when the
  ///     caller sets no limit), so that one call never holds the store's writer for long.
  ///   - groupCommit: whether concurrent points writes share transactions (see
  ///     `GroupCommitWriter`); off, each RPC commits its own transaction.
  public init(
    store: LoyaltyStore,
    clock: any WallClock,
    logger: Logger,
    expiryPolicy: PointsExpiryPolicy = PointsExpiryPolicy(),
    expiryBatchSize: Int = 1000,
    groupCommit: Bool = true
  ) {
    precondition(expiryBatchSize > 0, "an expiry run must expire at least one lot")
    self.store = store
    self.clock = clock
    self.logger = logger
    self.expiryPolicy = expiryPolicy
    self.expiryBatchSize = expiryBatchSize
    self.pointsWriter = groupCommit ? GroupCommitWriter(database: store.database) : nil
  }

  /// Runs one points write (an earn, a redeem, a reversal...) and returns once it is
  /// committed: in a shared transaction when grouping, else in its own.
  func writePoints<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T)
    async throws -> T
  {
    try await GroupCommitWriter.write(through: pointsWriter, or: store.database, body)
  }
}
