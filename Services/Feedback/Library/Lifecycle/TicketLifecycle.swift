import Contracts
import Foundation
import GRDB

/// The closed loop a ticket follows, and what each step does to its SLA clocks:
///
///     received -> acknowledged -> in progress <-> waiting on customer -> resolved
///       -> customer told -> closed
///
/// (waiting on customer may also go straight to resolved), and in progress again from
/// resolved, customer told or closed is a reopening, allowed within a window after the
/// resolution. Anything else is refused: a ticket cannot skip the acknowledgement, nor tell the
/// customer an outcome it has not reached.
enum TicketLifecycle {
  typealias Status = Crm_Feedback_V1_TicketStatus

  /// A permitted change of status.
  enum Move: Equatable {
    case forward
    case reopen
  }

  static let forward: [Status: Set<Status>] = [
    .received: [.acknowledged],
    .acknowledged: [.inProgress],
    .inProgress: [.waitingOnCustomer, .resolved],
    .waitingOnCustomer: [.inProgress, .resolved],
    .resolved: [.customerTold],
    .customerTold: [.closed],
  ]

  static let reopenable: Set<Status> = [.resolved, .customerTold, .closed]

  /// The kind of move from `from` to `to`, or nil when the lifecycle forbids it.
  static func move(from: Status, to: Status) -> Move? {
    if forward[from]?.contains(to) == true { return .forward }
    if to == .inProgress && reopenable.contains(from) { return .reopen }
    return nil
  }

  /// Starts, pauses, resumes and ends the ticket's clocks for a move to `to`.
  ///
  /// The next-update clock is met by contact with the customer: a progress report, a question
  /// (waiting on customer) or the resolution; moving to in progress alone tells them nothing.
  static func moveClocks(
    ticketID: String, from: Status, to: Status, move: Move, policy: SLAPolicyRecord,
    at now: Date, actor: String, _ db: Database
  ) throws {
    if from == .waitingOnCustomer {
      try SLAClock.resumeAll(ticketID: ticketID, policy: policy, at: now, actor: actor, db)
    }
    switch to {
    case .acknowledged:
      try SLAClock.end(.firstResponse, ticketID: ticketID, policy: policy, at: now, actor: actor, db)
      try SLAClock.start(
        .nextUpdate, ticketID: ticketID, policy: policy, at: now, db)
    case .inProgress where move == .reopen:
      try SLAClock.start(
        .resolution, ticketID: ticketID, policy: policy, at: now, db)
      try SLAClock.start(
        .nextUpdate, ticketID: ticketID, policy: policy, at: now, db)
    case .waitingOnCustomer:
      try SLAClock.end(.nextUpdate, ticketID: ticketID, policy: policy, at: now, actor: actor, db)
      try SLAClock.start(
        .nextUpdate, ticketID: ticketID, policy: policy, at: now, db)
      try SLAClock.pauseAll(ticketID: ticketID, at: now, actor: actor, db)
    case .resolved:
      try SLAClock.end(.nextUpdate, ticketID: ticketID, policy: policy, at: now, actor: actor, db)
      try SLAClock.end(.resolution, ticketID: ticketID, policy: policy, at: now, actor: actor, db)
    default:
      break
    }
  }
}
