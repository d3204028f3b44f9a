import Contracts
import Foundation
import GRDB
import ServiceKit
import SwiftProtobuf

/// A ticket's three SLA clocks (first response, next update, resolution) and the rules that
/// move them: started by the lifecycle, paused while the ticket waits on the customer (that
/// time is added to the due time, so it does not count), each ending as met or breached with an
/// event in the ticket's history. All functions run inside the caller's write transaction.
enum SLAClock {
  typealias Kind = Crm_Feedback_V1_SlaClockKind
  typealias State = Crm_Feedback_V1_SlaClockState

  /// Starts a new run of `kind`, due after the policy's allowance (of business time when the
  /// policy has a calendar) from `now`.
  @discardableResult
  static func start(
    _ kind: Kind, ticketID: String, policy: SLAPolicyRecord, at now: Date, _ db: Database
  ) throws -> SLAClockRecord {
    var record = SLAClockRecord(
      id: nil, ticketID: ticketID, kind: kind.rawValue, state: State.running.rawValue,
      startedAt: now, dueAt: policy.due(kind, from: now), pausedAt: nil, endedAt: nil)
    try Escalation.schedule(&record, db)
    try record.insert(db)
    return record
  }

  /// Ends the current run of `kind` if it is still open: met when on time, breached when late.
  /// A run the scan already marked breached stays as it is.
  static func end(
    _ kind: Kind, ticketID: String, policy: SLAPolicyRecord, at now: Date, actor: String,
    _ db: Database
  ) throws {
    guard var clock = try current(kind, ticketID: ticketID, db), clock.isOpen else { return }
    if let pausedAt = clock.pausedAt {
      clock.dueAt = policy.resumedDue(clock.dueAt, pausedAt: pausedAt, resumedAt: now)
    }
    let state: State = now <= clock.dueAt ? .met : .breached
    clock.state = state.rawValue
    clock.pausedAt = nil
    clock.endedAt = now
    clock.escalateAt = nil
    try clock.update(db)
    try TicketHistory.append(
      TicketEventRecord(
        ticketID: ticketID,
        type: (state == .met ? Crm_Feedback_V1_TicketEventType.clockMet : .clockBreached).rawValue,
        actorID: actor, occurredAt: now, clockKind: kind.rawValue),
      db)
  }

  /// Pauses every running clock of the ticket.
  static func pauseAll(ticketID: String, at now: Date, actor: String, _ db: Database) throws {
    for var clock in try latest(ticketID: ticketID, db) where clock.state == State.running.rawValue
    {
      clock.state = State.paused.rawValue
      clock.pausedAt = now
      try clock.update(db)
      try TicketHistory.append(
        TicketEventRecord(
          ticketID: ticketID, type: Crm_Feedback_V1_TicketEventType.clockPaused.rawValue,
          actorID: actor, occurredAt: now, clockKind: clock.kind),
        db)
    }
  }

  /// Resumes every paused clock, moving its due time by the time it spent paused.
  static func resumeAll(
    ticketID: String, policy: SLAPolicyRecord, at now: Date, actor: String, _ db: Database
  ) throws {
    for var clock in try latest(ticketID: ticketID, db) where clock.state == State.paused.rawValue {
      if let pausedAt = clock.pausedAt {
        clock.dueAt = policy.resumedDue(clock.dueAt, pausedAt: pausedAt, resumedAt: now)
      }
      clock.state = State.running.rawValue
      clock.pausedAt = nil
      try Escalation.schedule(&clock, db)
      try clock.update(db)
      try TicketHistory.append(
        TicketEventRecord(
          ticketID: ticketID, type: Crm_Feedback_V1_TicketEventType.clockResumed.rawValue,
          actorID: actor, occurredAt: now, clockKind: clock.kind),
        db)
    }
  }

  /// Marks every running clock past due at `now` as breached; returns them.
  static func breachOverdue(at now: Date, actor: String, _ db: Database) throws
    -> [SLAClockRecord]
  {
    let overdue =
      try SLAClockRecord
      .filter(
        SLAClockRecord.Columns.state == State.running.rawValue && SLAClockRecord.Columns.dueAt < now
      )
      .fetchAll(db)
    var breached: [SLAClockRecord] = []
    for var clock in overdue {
      clock.state = State.breached.rawValue
      clock.endedAt = now
      clock.escalateAt = nil
      try clock.update(db)
      breached.append(clock)
      try TicketHistory.append(
        TicketEventRecord(
          ticketID: clock.ticketID, type: Crm_Feedback_V1_TicketEventType.clockBreached.rawValue,
          actorID: actor, occurredAt: now, clockKind: clock.kind),
        db)
    }
    return breached
  }

  /// The current run of `kind`, if the ticket ever had one.
  static func current(_ kind: Kind, ticketID: String, _ db: Database) throws -> SLAClockRecord? {
    try SLAClockRecord
      .filter(
        SLAClockRecord.Columns.ticketID == ticketID && SLAClockRecord.Columns.kind == kind.rawValue
      )
      .order(SLAClockRecord.Columns.id.desc)
      .fetchOne(db)
  }

  /// The current run of each kind, in kind order.
  static func latest(ticketID: String, _ db: Database) throws -> [SLAClockRecord] {
    try SLAClockRecord.fetchAll(
      db.cachedStatement(
        sql: """
          SELECT * FROM sla_clock WHERE id IN (
            SELECT MAX(id) FROM sla_clock WHERE ticket_id = ? GROUP BY kind) ORDER BY kind
          """),
      arguments: [ticketID])
  }
}

extension SLAClockRecord {
  /// Still counting (running or paused).
  var isOpen: Bool {
    state == SLAClock.State.running.rawValue || state == SLAClock.State.paused.rawValue
  }

  var message: Crm_Feedback_V1_SlaClock {
    .with {
      $0.kind = SLAClock.Kind(rawValue: kind) ?? .unspecified
      $0.state = SLAClock.State(rawValue: state) ?? .unspecified
      $0.startTime = Google_Protobuf_Timestamp(storeDate: startedAt)
      $0.dueTime = Google_Protobuf_Timestamp(storeDate: dueAt)
      if let endedAt { $0.endTime = Google_Protobuf_Timestamp(storeDate: endedAt) }
    }
  }
}
