import Contracts
import Feedback
import Foundation
import GRDB
import GRPCCore
import GRPCInProcessTransport
import Logging
import ServiceKit
import ServiceKitTesting
import Testing

/// The generated client over an in-process server with an in-memory store and a manual clock,
/// plus the few calls most tests start with.
struct FeedbackHarness {
  typealias Client = Crm_Feedback_V1_FeedbackService.Client<InProcessTransport.Client>

  let client: Client
  let clock: ManualClock
  /// The service's event sink (what other services' relays call).
  let events: Crm_Events_V1_EventSink.Client<InProcessTransport.Client>
  /// The service's outbox status.
  let outbox: Crm_Events_V1_Outbox.Client<InProcessTransport.Client>
  /// The store, for reading the outbox rows and query plans.
  let database: any DatabaseWriter
  /// The service itself, for what is not on the wire (group commit's statistics).
  let service: FeedbackService

  static let minute: TimeInterval = 60
  static let hour: TimeInterval = 3600
  static let day: TimeInterval = 86400

  static func run(
    reopenWindow: TimeInterval = 7 * 86400,
    tiers: (any CustomerTierSource)? = nil,
    _ body: (FeedbackHarness) async throws -> Void
  ) async throws {
    let database = try StoreOpener.inMemory(migrator: FeedbackStore.migrator)
    let clock = ManualClock()
    let service = FeedbackService(
      store: FeedbackStore(database: database), clock: clock, logger: Logger(label: "test"),
      reopenWindow: reopenWindow, tiers: tiers)
    let services: [any RegistrableRPCService] = [
      service,
      EventSinkService(database: database, applier: service, clock: clock),
      OutboxStatusService(
        database: database, destinations: FeedbackService.eventDestinations, clock: clock),
    ]
    try await withInProcessServer(services) { client in
      try await body(
        FeedbackHarness(
          client: Client(wrapping: client), clock: clock,
          events: .init(wrapping: client), outbox: .init(wrapping: client), database: database,
          service: service))
    }
  }

  func createTicket(
    kind: Crm_Feedback_V1_TicketKind = .feedback, priority: Crm_Feedback_V1_Priority = .normal,
    channel: Crm_Feedback_V1_IntakeChannel = .inApp, category: String = "delivery/late",
    customer: String = "c1", text: String = ""
  ) async throws -> Crm_Feedback_V1_Ticket {
    try await client.createTicket(
      .with {
        $0.ticket.customerID = customer
        $0.ticket.text = text
        $0.ticket.kind = kind
        $0.ticket.priority = priority
        $0.ticket.channel = channel
        $0.ticket.category = category
      }
    ).ticket
  }

  @discardableResult
  func move(
    _ ticket: Crm_Feedback_V1_Ticket, to status: Crm_Feedback_V1_TicketStatus,
    by actor: String = "agent-1"
  ) async throws -> Crm_Feedback_V1_Ticket {
    try await client.transitionTicket(
      .with {
        $0.ticketID = ticket.ticketID
        $0.targetStatus = status
        $0.actorID = actor
      }
    ).ticket
  }

  /// Moves a new ticket along the loop up to `status`.
  func ticket(at status: Crm_Feedback_V1_TicketStatus, kind: Crm_Feedback_V1_TicketKind = .feedback)
    async throws -> Crm_Feedback_V1_Ticket
  {
    var ticket = try await createTicket(kind: kind)
    let path: [Crm_Feedback_V1_TicketStatus] = [
      .acknowledged, .inProgress, .resolved, .customerTold, .closed,
    ]
    for step in path {
      if ticket.status == status { break }
      ticket = try await move(ticket, to: step)
    }
    return ticket
  }

  /// The events waiting in the outbox for `destination`, oldest first.
  func outboxEvents(to destination: SuiteService) async throws -> [Crm_Events_V1_Event] {
    try await database.read { db in
      try Data.fetchAll(
        db, sql: "SELECT event FROM outbox_event WHERE destination = ? ORDER BY seq",
        arguments: [destination.rawValue])
    }.map { try Crm_Events_V1_Event(serializedBytes: $0) }
  }

  func history(_ ticket: Crm_Feedback_V1_Ticket) async throws -> [Crm_Feedback_V1_TicketEvent] {
    try await client.getTicketHistory(
      .with {
        $0.ticketID = ticket.ticketID; $0.page.pageSize = 500
      }
    ).events
  }
}

extension Crm_Feedback_V1_Ticket {
  /// The current run of a clock.
  func clock(_ kind: Crm_Feedback_V1_SlaClockKind) -> Crm_Feedback_V1_SlaClock? {
    clocks.first { $0.kind == kind }
  }
}

/// Runs `call`, expects it to fail with `code` and, for INVALID_ARGUMENT, a message naming `field`.
func expectFailure(
  _ code: RPCError.Code, field: String? = nil, sourceLocation: SourceLocation = #_sourceLocation,
  _ call: () async throws -> Void
) async {
  let error = await #expect(throws: RPCError.self, sourceLocation: sourceLocation) {
    try await call()
  }
  #expect(error?.code == code, "\(error?.message ?? "")", sourceLocation: sourceLocation)
  if let field {
    #expect(
      error?.message.hasPrefix("\(field):") == true, "\(error?.message ?? "")",
      sourceLocation: sourceLocation)
  }
}
