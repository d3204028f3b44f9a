import Contracts
import Foundation
import GRPCCore
import Testing

@Suite("Feedback: the ticket lifecycle and its history")
struct LifecycleTests {
  typealias Status = Crm_Feedback_V1_TicketStatus

  @Test("the whole loop, each change an event with actor and time")
  func wholeLoop() async throws {
    try await FeedbackHarness.run { harness in
      // Given
      var ticket = try await harness.createTicket()
      let steps: [Status] = [
        .acknowledged, .inProgress, .waitingOnCustomer, .inProgress, .resolved, .customerTold,
        .closed,
      ]
      // When
      for step in steps {
        harness.clock.advance(by: FeedbackHarness.minute)
        ticket = try await harness.move(ticket, to: step, by: "agent-7")
        #expect(ticket.status == step)
      }
      // Then
      let changes = try await harness.history(ticket).filter { $0.type == .statusChanged }
      #expect(changes.map(\.toStatus) == steps)
      #expect(changes.map(\.fromStatus) == [.received] + steps.dropLast())
      #expect(changes.allSatisfy { $0.actorID == "agent-7" })
      #expect(changes.last?.time.date == harness.clock.now())
      let created = try await harness.history(ticket).first
      #expect(created?.type == .created)
      #expect(created?.actorID == "c1")
    }
  }

  static let forbidden: [(Status, Status)] = [
    (.received, .resolved), (.received, .inProgress), (.acknowledged, .closed),
    (.inProgress, .customerTold), (.resolved, .closed), (.closed, .customerTold),
    (.received, .received),
  ]

  @Test(
    "a forbidden transition is FAILED_PRECONDITION and changes nothing", arguments: Self.forbidden)
  func forbiddenTransition(from: Status, to: Status) async throws {
    try await FeedbackHarness.run { harness in
      // Given
      let ticket = try await harness.ticket(at: from)
      let before = try await harness.history(ticket)
      // When / Then
      await expectFailure(.failedPrecondition) { try await harness.move(ticket, to: to) }
      let after = try await harness.client.getTicket(.with { $0.ticketID = ticket.ticketID }).ticket
      #expect(after == ticket)
      #expect(try await harness.history(ticket) == before)
    }
  }

  @Test("reopening within the window restarts the resolution clock; after it, FAILED_PRECONDITION")
  func reopenWindow() async throws {
    try await FeedbackHarness.run { harness in
      // Given: resolved and told, 6 days ago
      let told = try await harness.ticket(at: .customerTold)
      harness.clock.advance(by: 6 * FeedbackHarness.day)
      // When
      let reopened = try await harness.move(told, to: .inProgress)
      // Then
      #expect(reopened.status == .inProgress)
      #expect(reopened.clock(.resolution)?.state == .running)
      #expect(reopened.clock(.resolution)?.startTime.date == harness.clock.now())
      #expect(
        try await harness.history(told).last { $0.type == .reopened }?.fromStatus == .customerTold)

      // Given: resolved again and closed, then 7 days and a second pass
      let closed = try await harness.move(
        try await harness.move(try await harness.move(reopened, to: .resolved), to: .customerTold),
        to: .closed)
      harness.clock.advance(by: 7 * FeedbackHarness.day + 1)
      // Then
      await expectFailure(.failedPrecondition) { try await harness.move(closed, to: .inProgress) }
    }
  }

  @Test("the reopen window is a parameter of the service")
  func configuredWindow() async throws {
    try await FeedbackHarness.run(reopenWindow: FeedbackHarness.day) { harness in
      let resolved = try await harness.ticket(at: .resolved)
      harness.clock.advance(by: FeedbackHarness.day + 1)
      await expectFailure(.failedPrecondition) { try await harness.move(resolved, to: .inProgress) }
    }
  }

  @Test("an idempotency key replays the first outcome; with another body it is ALREADY_EXISTS")
  func idempotentTransition() async throws {
    try await FeedbackHarness.run { harness in
      // Given
      let ticket = try await harness.createTicket()
      let request = Crm_Feedback_V1_TransitionTicketRequest.with {
        $0.ticketID = ticket.ticketID
        $0.targetStatus = .acknowledged
        $0.actorID = "agent-1"
        $0.idempotencyKey.key = "ack-1"
      }
      // When
      let first = try await harness.client.transitionTicket(request).ticket
      harness.clock.advance(by: FeedbackHarness.minute)
      let again = try await harness.client.transitionTicket(request).ticket
      // Then
      #expect(first == again)
      #expect(try await harness.history(ticket).filter { $0.type == .statusChanged }.count == 1)
      var other = request
      other.targetStatus = .inProgress
      await expectFailure(.alreadyExists) { _ = try await harness.client.transitionTicket(other) }
    }
  }

  @Test("bad input names the field; an unknown ticket is NOT_FOUND")
  func badInput() async throws {
    try await FeedbackHarness.run { harness in
      let ticket = try await harness.createTicket()
      let good = Crm_Feedback_V1_TransitionTicketRequest.with {
        $0.ticketID = ticket.ticketID
        $0.targetStatus = .acknowledged
        $0.actorID = "agent-1"
      }
      var request = good
      request.ticketID = ""
      await expectFailure(.invalidArgument, field: "ticket_id") { [request] in
        _ = try await harness.client.transitionTicket(request)
      }
      request = good
      request.targetStatus = .unspecified
      await expectFailure(.invalidArgument, field: "target_status") { [request] in
        _ = try await harness.client.transitionTicket(request)
      }
      request = good
      request.actorID = ""
      await expectFailure(.invalidArgument, field: "actor_id") { [request] in
        _ = try await harness.client.transitionTicket(request)
      }
      request = good
      request.idempotencyKey.key = "has space"
      await expectFailure(.invalidArgument, field: "idempotency_key.key") { [request] in
        _ = try await harness.client.transitionTicket(request)
      }
      request = good
      request.ticketID = "no-such-ticket"
      await expectFailure(.notFound) { [request] in
        _ = try await harness.client.transitionTicket(request)
      }
    }
  }

  @Test("history is paged in order; an unknown ticket is NOT_FOUND")
  func historyPaging() async throws {
    try await FeedbackHarness.run { harness in
      // Given: created, acknowledged (+ first response met), in progress
      let ticket = try await harness.ticket(at: .inProgress)
      // When
      var events: [Crm_Feedback_V1_TicketEvent] = []
      var token = ""
      repeat {
        let page = try await harness.client.getTicketHistory(
          .with {
            $0.ticketID = ticket.ticketID;
            $0.page = .with {
              $0.pageSize = 2; $0.pageToken = token
            }
          })
        #expect(page.events.count <= 2)
        events += page.events
        token = page.page.nextPageToken
      } while !token.isEmpty
      // Then
      #expect(events.map(\.type) == [.created, .statusChanged, .clockMet, .statusChanged])
      #expect(events.map(\.sequence) == events.map(\.sequence).sorted())
      await expectFailure(.notFound) {
        _ = try await harness.client.getTicketHistory(.with { $0.ticketID = "nope" })
      }
    }
  }

  @Test("assigning records the owner; a closed ticket cannot be assigned")
  func assign() async throws {
    try await FeedbackHarness.run { harness in
      // Given
      let ticket = try await harness.createTicket()
      // When
      let assigned = try await harness.client.assignTicket(
        .with {
          $0.ticketID = ticket.ticketID; $0.ownerID = "am-3"; $0.actorID = "lead-1"
        }
      ).ticket
      // Then
      #expect(assigned.ownerID == "am-3")
      let event = try await harness.history(ticket).last
      #expect(event?.type == .assigned)
      #expect(event?.ownerID == "am-3")
      #expect(event?.actorID == "lead-1")
      await expectFailure(.invalidArgument, field: "owner_id") {
        _ = try await harness.client.assignTicket(
          .with {
            $0.ticketID = ticket.ticketID; $0.actorID = "lead-1"
          })
      }
      let closed = try await harness.ticket(at: .closed)
      await expectFailure(.failedPrecondition) {
        _ = try await harness.client.assignTicket(
          .with {
            $0.ticketID = closed.ticketID; $0.ownerID = "am-3"; $0.actorID = "lead-1"
          })
      }
    }
  }
}
