import Contracts
import Foundation

/// One bulk ticket played through the service's own rules: the lifecycle's clock moves
/// (`TicketLifecycle.moveClocks`, `SLAClock`) and the minute's breach scan, giving the ticket
/// row, its clock runs and its history exactly as the RPCs and the scan would have left them.
///
/// Times are whole seconds since 1970. The scan runs every minute at `scanPhase` past the
/// minute and breaches a running clock at the first run after its due time; no escalation rule
/// exists (the fill refuses a store that has some), so `escalate_at` stays nil.
struct BulkTicketTimeline {
  typealias Status = Crm_Feedback_V1_TicketStatus
  typealias Kind = Crm_Feedback_V1_SlaClockKind
  typealias State = Crm_Feedback_V1_SlaClockState
  typealias EventType = Crm_Feedback_V1_TicketEventType

  struct Clock {
    var kind: Kind
    var state: State
    var startedAt: Int64
    var dueAt: Int64
    var pausedAt: Int64?
    var endedAt: Int64?
    var isOpen: Bool { state == .running || state == .paused }
  }

  struct Event {
    var type: EventType
    var actorID: String
    var at: Int64
    var fromStatus: Status = .unspecified
    var toStatus: Status = .unspecified
    var clockKind: Kind = .unspecified
    var ownerID = ""
    var note = ""
    var csatScore = 0
    var teamID = ""
  }

  struct Csat {
    var score: Int
    var comment: String
    var agentID: String
    var at: Int64
  }

  let policy: SLAPolicyRecord
  let scanPhase: Int64
  var ticket: TicketRecord
  /// In insertion (id) order.
  var clocks: [Clock] = []
  var events: [Event] = []
  var csat: Csat?
  var links: [(issueID: String, at: Int64)] = []

  /// Plays `plan` up to `asOf` (the scan included).
  init(
    ticketID: String, plan: [BulkTicketPlan.Step], policies: [SLAPolicyRecord], scanPhase: Int64,
    asOf: Int64
  ) throws {
    guard
      case .create(let customer, let kind, let priority, let channel, let category, let text) =
        plan.first?.action, let createdAt = plan.first?.at
    else { throw BulkFillError.planWithoutCreate(ticketID) }
    let created = Self.date(createdAt)
    ticket = TicketRecord(
      id: ticketID, customerID: customer, kind: kind.rawValue, priority: priority.rawValue,
      channel: channel.rawValue, category: category, text: text,
      status: Status.received.rawValue, createdAt: created, firstResponseDueAt: created,
      ownerID: "", resolvedAt: nil, slaPolicyID: "")
    guard
      let policy = policies.first(where: {
        $0.matches(
          kind: kind.rawValue, priority: priority.rawValue, channel: channel.rawValue,
          category: category, tier: nil)
      })
    else { throw BulkFillError.noPolicy(ticketID) }
    self.policy = policy
    self.scanPhase = scanPhase
    ticket.slaPolicyID = policy.id
    start(.firstResponse, at: createdAt)
    ticket.firstResponseDueAt = Self.date(clocks[0].dueAt)
    start(.resolution, at: createdAt)
    events.append(
      Event(type: .created, actorID: customer, at: createdAt, toStatus: .received))
    for step in plan.dropFirst() {
      scan(until: step.at)
      try apply(step)
    }
    scan(until: asOf)
  }

  static func date(_ seconds: Int64) -> Date { Date(timeIntervalSince1970: TimeInterval(seconds)) }
  static func seconds(_ date: Date) -> Int64 { Int64(date.timeIntervalSince1970.rounded()) }

  private var status: Status { Status(rawValue: ticket.status) ?? .unspecified }

  private mutating func apply(_ step: BulkTicketPlan.Step) throws {
    let now = step.at
    switch step.action {
    case .create:
      throw BulkFillError.invalidPlan(ticket.id, "a second create")
    case .assign(let owner, let team, let actor):
      ticket.ownerID = owner
      if !team.isEmpty { ticket.teamID = team }
      events.append(
        Event(type: .assigned, actorID: actor, at: now, ownerID: owner, teamID: ticket.teamID))
    case .transition(let to, let actor):
      let from = status
      guard TicketLifecycle.move(from: from, to: to) == .forward else {
        throw BulkFillError.invalidPlan(ticket.id, "\(from) to \(to)")
      }
      ticket.status = to.rawValue
      if to == .resolved { ticket.resolvedAt = Self.date(now) }
      events.append(
        Event(type: .statusChanged, actorID: actor, at: now, fromStatus: from, toStatus: to))
      moveClocks(from: from, to: to, at: now, actor: actor)
    case .progress(let actor, let note):
      guard status == .acknowledged || status == .inProgress else {
        throw BulkFillError.invalidPlan(ticket.id, "progress while \(status)")
      }
      events.append(Event(type: .progressUpdate, actorID: actor, at: now, note: note))
      end(.nextUpdate, at: now, actor: actor)
      start(.nextUpdate, at: now)
    case .csat(let score, let comment):
      guard ticket.resolvedAt != nil, TicketLifecycle.reopenable.contains(status), csat == nil
      else { throw BulkFillError.invalidPlan(ticket.id, "CSAT while \(status)") }
      csat = Csat(score: score, comment: comment, agentID: ticket.ownerID, at: now)
      events.append(
        Event(
          type: .csatSubmitted, actorID: ticket.customerID, at: now, note: comment, csatScore: score
        ))
    case .linkIssue(let issueID, let actor):
      links.append((issueID, now))
      events.append(Event(type: .linkedToIssue, actorID: actor, at: now, note: issueID))
    }
  }

  /// `TicketLifecycle.moveClocks` for forward moves.
  private mutating func moveClocks(from: Status, to: Status, at now: Int64, actor: String) {
    if from == .waitingOnCustomer { resumeAll(at: now, actor: actor) }
    switch to {
    case .acknowledged:
      end(.firstResponse, at: now, actor: actor)
      start(.nextUpdate, at: now)
    case .waitingOnCustomer:
      end(.nextUpdate, at: now, actor: actor)
      start(.nextUpdate, at: now)
      pauseAll(at: now, actor: actor)
    case .resolved:
      end(.nextUpdate, at: now, actor: actor)
      end(.resolution, at: now, actor: actor)
    default:
      break
    }
  }

  private mutating func start(_ kind: Kind, at now: Int64) {
    clocks.append(
      Clock(
        kind: kind, state: .running, startedAt: now,
        dueAt: Self.seconds(policy.due(kind, from: Self.date(now)))))
  }

  /// The index of the current run of `kind`.
  private func current(_ kind: Kind) -> Int? { clocks.lastIndex { $0.kind == kind } }

  /// The current run of each kind, in kind order (`SLAClock.latest`).
  private func latest() -> [Int] {
    [Kind.firstResponse, .nextUpdate, .resolution].compactMap(current)
  }

  private mutating func end(_ kind: Kind, at now: Int64, actor: String) {
    guard let index = current(kind), clocks[index].isOpen else { return }
    var clock = clocks[index]
    if let pausedAt = clock.pausedAt {
      clock.dueAt = resumedDue(clock.dueAt, pausedAt: pausedAt, resumedAt: now)
    }
    clock.state = now <= clock.dueAt ? .met : .breached
    clock.pausedAt = nil
    clock.endedAt = now
    clocks[index] = clock
    events.append(
      Event(
        type: clock.state == .met ? .clockMet : .clockBreached, actorID: actor, at: now,
        clockKind: kind))
  }

  private mutating func pauseAll(at now: Int64, actor: String) {
    for index in latest() where clocks[index].state == .running {
      clocks[index].state = .paused
      clocks[index].pausedAt = now
      events.append(
        Event(type: .clockPaused, actorID: actor, at: now, clockKind: clocks[index].kind))
    }
  }

  private mutating func resumeAll(at now: Int64, actor: String) {
    for index in latest() where clocks[index].state == .paused {
      if let pausedAt = clocks[index].pausedAt {
        clocks[index].dueAt = resumedDue(clocks[index].dueAt, pausedAt: pausedAt, resumedAt: now)
      }
      clocks[index].state = .running
      clocks[index].pausedAt = nil
      events.append(
        Event(type: .clockResumed, actorID: actor, at: now, clockKind: clocks[index].kind))
    }
  }

  private func resumedDue(_ due: Int64, pausedAt: Int64, resumedAt: Int64) -> Int64 {
    Self.seconds(
      policy.resumedDue(
        Self.date(due), pausedAt: Self.date(pausedAt), resumedAt: Self.date(resumedAt)))
  }

  /// The first scan strictly after `due` (the scan breaches clocks with `due_at < now`).
  func scanTime(after due: Int64) -> Int64 {
    let minute: Int64 = 60
    let base = due - scanPhase
    let next = (base >= 0 ? base / minute : (base - minute + 1) / minute) + 1
    return next * minute + scanPhase
  }

  /// The scans up to and including `time`: each breaches the running clocks past due, in
  /// due-time order (`SLAClock.breachOverdue` reads them through the (state, due_at) index).
  private mutating func scan(until time: Int64) {
    while true {
      let overdue = clocks.indices.filter {
        clocks[$0].state == .running && scanTime(after: clocks[$0].dueAt) <= time
      }
      guard let first = overdue.map({ scanTime(after: clocks[$0].dueAt) }).min() else { return }
      let batch = overdue.filter { scanTime(after: clocks[$0].dueAt) == first }
        .sorted { (clocks[$0].dueAt, $0) < (clocks[$1].dueAt, $1) }
      for index in batch {
        clocks[index].state = .breached
        clocks[index].endedAt = first
        events.append(
          Event(
            type: .clockBreached, actorID: TicketHistory.systemActor, at: first,
            clockKind: clocks[index].kind))
      }
    }
  }
}

/// Why a bulk fill stopped.
public enum BulkFillError: Error, CustomStringConvertible {
  case planWithoutCreate(String)
  case noPolicy(String)
  case invalidPlan(String, String)
  case escalationRulesPresent
  case notEmpty(Int)

  public var description: String {
    switch self {
    case .planWithoutCreate(let id): "ticket \(id): the plan does not start with its creation"
    case .noPolicy(let id): "ticket \(id): no SLA policy covers it"
    case .invalidPlan(let id, let why): "ticket \(id): the lifecycle forbids \(why)"
    case .escalationRulesPresent:
      "the store has escalation rules: the fill writes clocks for a store without any"
    case .notEmpty(let count): "the store already holds \(count) tickets: fill an empty one"
    }
  }
}
