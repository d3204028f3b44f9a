import Contracts
import Foundation
import GRDB
import GRPCCore
import Logging
import ServiceKit

/// `crm.feedback.v1.FeedbackService`: tickets on SLA clocks and the closed loop.
///
/// Response times live in the store as SLA policies (data an operator lists and adds to, not
/// constants); the rules that are not per ticket are parameters here.
public struct FeedbackService: Sendable {
  let store: FeedbackStore
  let clock: any WallClock
  let logger: Logger
  /// How long after its resolution a ticket may still be reopened.
  let reopenWindow: TimeInterval
  /// Where a customer's tier comes from (segmentation); nil when the service runs without it,
  /// and then only policies without a tier condition apply.
  let tiers: (any CustomerTierSource)?
  /// Page sizes of the List RPCs: the size when the caller sends 0, and the most one page holds.
  let paging: PageLimits
  /// Groups concurrent new tickets into shared transactions; nil writes each in its own
  /// transaction (kept to measure the difference).
  public let ticketWriter: GroupCommitWriter?

  /// Creates the service over its store.
  ///
  /// - Parameters:
  ///   - reopenWindow: how long after its resolution a ticket may be reopened (7 days).
  ///   - tiers: where customers' tiers are read for tier policies (segmentation).
  ///   - paging: default and maximum page sizes of the List RPCs.
  ///   - groupCommit: whether concurrent `CreateTicket` calls share transactions (see
  ///     `GroupCommitWriter`); off, each call commits its own transaction.
  public init(
    store: FeedbackStore,
    clock: any WallClock,
    logger: Logger,
    reopenWindow: TimeInterval = 7 * 24 * 3600,
    tiers: (any CustomerTierSource)? = nil,
    paging: PageLimits = PageLimits(),
    groupCommit: Bool = true
  ) {
    self.store = store
    self.clock = clock
    self.logger = logger
    self.reopenWindow = reopenWindow
    self.tiers = tiers
    self.paging = paging
    self.ticketWriter = groupCommit ? GroupCommitWriter(database: store.database) : nil
  }

  /// Runs one ticket write and returns once it is committed: in a shared transaction when
  /// grouping, else in its own.
  func writeTicket<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T)
    async throws -> T
  {
    try await GroupCommitWriter.write(through: ticketWriter, or: store.database, body)
  }
}
