import Contracts
import Foundation
import GRDB
import ServiceKit

/// Escalation rules at work: each running clock carries the moment its next "approaching" rule
/// comes due (`escalate_at`, indexed with the state), so the scan reads only the clocks that
/// need action; breached rules act on the clocks the scan breaches. A rule acts once per clock
/// run (`escalation_firing`), and every action is an event in the ticket's history.
enum Escalation {
  typealias Trigger = Crm_Feedback_V1_EscalationTrigger

  /// When `rule` (approaching) comes due on `clock`: when only the rest of the policy's
  /// allowance is left before the due time (which moved by any pause). With a business
  /// calendar the rest is counted in wall time, a little early over nights and weekends.
  static func moment(
    of rule: EscalationRuleRecord, on clock: SLAClockRecord, allowance: TimeInterval
  ) -> Date {
    clock.dueAt.addingTimeInterval(-allowance * Double(100 - rule.elapsedPercent) / 100)
  }

  private static func allowance(of clock: SLAClockRecord, ticket: TicketRecord, _ db: Database)
    throws -> TimeInterval
  {
    try SLAPolicyRecord.policy(of: ticket, db).allowance(
      SLAClock.Kind(rawValue: clock.kind) ?? .unspecified)
  }

  /// The next moment an approaching rule not yet applied to this run comes due, for the ticket
  /// as it is now; nil when none is left.
  static func nextMoment(
    for clock: SLAClockRecord, ticket: TicketRecord, _ db: Database
  ) throws -> Date? {
    let fired = try firedRules(clockID: clock.id, db)
    let pending = try rules(.approaching, for: clock, ticket: ticket, db)
      .filter { !fired.contains($0.id) }
    if pending.isEmpty { return nil }
    let allowance = try allowance(of: clock, ticket: ticket, db)
    return pending.map { moment(of: $0, on: clock, allowance: allowance) }.min()
  }

  /// Sets the clock's next escalation moment (after a start or a resumption).
  static func schedule(_ clock: inout SLAClockRecord, _ db: Database) throws {
    guard let ticket = try TicketRecord.fetchOne(db, key: clock.ticketID) else { return }
    clock.escalateAt = try nextMoment(for: clock, ticket: ticket, db)
  }

  /// Applies the approaching rules whose moment has come to running clocks; returns how many
  /// rules acted.
  static func applyApproaching(at now: Date, _ db: Database) throws -> Int {
    let due =
      try SLAClockRecord
      .filter(
        SLAClockRecord.Columns.state == SLAClock.State.running.rawValue
          && SLAClockRecord.Columns.escalateAt <= now
      )
      .fetchAll(db)
    var applied = 0
    for var clock in due {
      let fired = try firedRules(clockID: clock.id, db)
      guard var ticket = try TicketRecord.fetchOne(db, key: clock.ticketID) else { continue }
      let allowance = try allowance(of: clock, ticket: ticket, db)
      for rule in try rules(.approaching, for: clock, ticket: ticket, db)
      where !fired.contains(rule.id) && moment(of: rule, on: clock, allowance: allowance) <= now {
        try apply(rule, clock: clock, ticket: &ticket, at: now, db)
        applied += 1
      }
      clock.escalateAt = try nextMoment(for: clock, ticket: ticket, db)
      try clock.update(db)
    }
    return applied
  }

  /// Applies the breached rules to clocks the scan has just breached; returns how many acted.
  static func applyBreached(_ clocks: [SLAClockRecord], at now: Date, _ db: Database) throws
    -> Int
  {
    var applied = 0
    for clock in clocks {
      guard var ticket = try TicketRecord.fetchOne(db, key: clock.ticketID) else { continue }
      let fired = try firedRules(clockID: clock.id, db)
      for rule in try rules(.breached, for: clock, ticket: ticket, db) where !fired.contains(rule.id) {
        try apply(rule, clock: clock, ticket: &ticket, at: now, db)
        applied += 1
      }
    }
    return applied
  }

  /// The rules of `trigger` that select this clock's kind and the ticket, by id. The table
  /// holds a handful of rows, so it is read whole.
  private static func rules(
    _ trigger: Trigger, for clock: SLAClockRecord, ticket: TicketRecord, _ db: Database
  ) throws -> [EscalationRuleRecord] {
    try EscalationRuleRecord.order(EscalationRuleRecord.Columns.id).fetchAll(db).filter {
      $0.trigger == trigger.rawValue
        && ($0.clockKind == 0 || $0.clockKind == clock.kind)
        && ($0.priority == 0 || $0.priority == ticket.priority)
        && ($0.kind == 0 || $0.kind == ticket.kind)
    }
  }

  private static func firedRules(clockID: Int64?, _ db: Database) throws -> Set<String> {
    Set(
      try String.fetchAll(
        db, sql: "SELECT rule_id FROM escalation_firing WHERE clock_id = ?", arguments: [clockID]))
  }

  /// The rule's actions on the ticket, each with its history event, and the record that it acted.
  private static func apply(
    _ rule: EscalationRuleRecord, clock: SLAClockRecord, ticket: inout TicketRecord, at now: Date,
    _ db: Database
  ) throws {
    try db.execute(
      sql: "INSERT INTO escalation_firing (clock_id, rule_id, fired_at) VALUES (?, ?, ?)",
      arguments: [clock.id, rule.id, now])
    let clockName = (SLAClock.Kind(rawValue: clock.kind) ?? .unspecified)
    let why =
      "escalation rule \(rule.id): \(clockName) "
      + (rule.trigger == Trigger.breached.rawValue
        ? "breached" : "\(rule.elapsedPercent)% elapsed")
    let actor = TicketHistory.systemActor
    // Urgent is raw value 1: the top.
    if rule.raisePriority, ticket.priority > Crm_Feedback_V1_Priority.urgent.rawValue {
      ticket.priority -= 1
      try ticket.update(db)
      try TicketHistory.append(
        TicketEventRecord(
          ticketID: ticket.id, type: Crm_Feedback_V1_TicketEventType.priorityRaised.rawValue,
          actorID: actor, occurredAt: now, clockKind: clock.kind, note: why,
          priority: ticket.priority),
        db)
    }
    if !rule.reassignOwnerID.isEmpty,
      ticket.ownerID != rule.reassignOwnerID
        || (!rule.reassignTeamID.isEmpty && ticket.teamID != rule.reassignTeamID)
    {
      ticket.ownerID = rule.reassignOwnerID
      if !rule.reassignTeamID.isEmpty { ticket.teamID = rule.reassignTeamID }
      try ticket.update(db)
      try TicketHistory.append(
        TicketEventRecord(
          ticketID: ticket.id, type: Crm_Feedback_V1_TicketEventType.assigned.rawValue,
          actorID: actor, occurredAt: now, ownerID: ticket.ownerID, note: why,
          teamID: ticket.teamID),
        db)
    }
    if rule.notifyAccountManager {
      try TicketHistory.append(
        TicketEventRecord(
          ticketID: ticket.id,
          type: Crm_Feedback_V1_TicketEventType.accountManagerNotified.rawValue,
          actorID: actor, occurredAt: now, clockKind: clock.kind, ownerID: ticket.ownerID,
          note: why),
        db)
    }
  }
}
