import Contracts
import Feedback
import GRPCCore
import GRPCInProcessTransport
import Logging
import ServiceKit
import ServiceKitTesting
import Testing

@Suite("Feedback: tickets through the gRPC client")
struct TicketTests {
  typealias Client = Crm_Feedback_V1_FeedbackService.Client<InProcessTransport.Client>

  func withService(_ body: (Client, ManualClock) async throws -> Void) async throws {
    let database = try StoreOpener.inMemory(migrator: FeedbackStore.migrator)
    let clock = ManualClock()
    let service = FeedbackService(store: FeedbackStore(database: database), clock: clock, logger: Logger(label: "test"))
    try await withInProcessServer([service]) { client in try await body(Client(wrapping: client), clock) }
  }

  static func ticket(kind: Crm_Feedback_V1_TicketKind = .feedback, priority: Crm_Feedback_V1_Priority = .normal) -> Crm_Feedback_V1_Ticket {
    .with {
      $0.customerID = "c1"
      $0.kind = kind
      $0.priority = priority
      $0.channel = .inApp
      $0.category = "delivery/late"
      $0.text = "parcel two days late"
    }
  }

  @Test("create then get; a new ticket is RECEIVED")
  func createAndGet() async throws {
    try await withService { client, clock in
      let created = try await client.createTicket(.with { $0.ticket = Self.ticket() }).ticket
      #expect(created.status == .received)
      #expect(created.createTime.date == clock.now())
      let fetched = try await client.getTicket(.with { $0.ticketID = created.ticketID }).ticket
      #expect(fetched == created)
    }
  }

  static let responseTiers: [(Crm_Feedback_V1_TicketKind, Crm_Feedback_V1_Priority, Double)] = [
    (.feedback, .urgent, 600),
    (.feedback, .normal, 1800),
    (.enquiry, .enquiry, 3600),
    (.complaint, .normal, 1800),
    (.complaint, .enquiry, 3600),
  ]

  @Test(
    "first response is due by the playbook's tiers; complaints within an hour",
    arguments: Self.responseTiers)
  func firstResponseDue(kind: Crm_Feedback_V1_TicketKind, priority: Crm_Feedback_V1_Priority, seconds: Double) async throws {
    try await withService { client, clock in
      let created = try await client.createTicket(.with { $0.ticket = Self.ticket(kind: kind, priority: priority) }).ticket
      #expect(created.firstResponseDueTime.date.timeIntervalSince(clock.now()) == seconds)
    }
  }

  @Test("the same client request id creates one ticket")
  func idempotent() async throws {
    try await withService { client, _ in
      let request = Crm_Feedback_V1_CreateTicketRequest.with {
        $0.ticket = Self.ticket()
        $0.idempotencyKey.key = "app-req-9"
      }
      let first = try await client.createTicket(request).ticket
      let again = try await client.createTicket(request).ticket
      #expect(first.ticketID == again.ticketID)
    }
  }

  static func broken(_ field: String) -> Crm_Feedback_V1_Ticket {
    var ticket = ticket()
    switch field {
    case "ticket.customer_id": ticket.customerID = ""
    case "ticket.kind": ticket.kind = .unspecified
    case "ticket.priority": ticket.priority = .UNRECOGNIZED(42)
    case "ticket.channel": ticket.channel = .unspecified
    case "ticket.category": ticket.category = ""
    default: Issue.record("no way to break \(field)")
    }
    return ticket
  }

  @Test(
    "bad input names the field",
    arguments: ["ticket.customer_id", "ticket.kind", "ticket.priority", "ticket.channel", "ticket.category"])
  func badInput(field: String) async throws {
    try await withService { client, _ in
      let ticket = Self.broken(field)
      let error = await #expect(throws: RPCError.self) { try await client.createTicket(.with { $0.ticket = ticket }) }
      #expect(error?.code == .invalidArgument)
      #expect(error?.message.hasPrefix("\(field):") == true)
    }
  }

  @Test("an unknown id is NOT_FOUND")
  func notFound() async throws {
    try await withService { client, _ in
      let error = await #expect(throws: RPCError.self) { try await client.getTicket(.with { $0.ticketID = "x" }) }
      #expect(error?.code == .notFound)
    }
  }
}
