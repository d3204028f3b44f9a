import Contracts
import Foundation
import GRPCCore
import Testing

@Suite("Feedback: CSAT after resolution")
struct SurveyTests {
  @Test("one answer per resolved ticket, linked to customer and agent; a second is ALREADY_EXISTS")
  func onceAfterResolution() async throws {
    try await FeedbackHarness.run { harness in
      // Given
      let ticket = try await harness.createTicket()
      _ = try await harness.client.assignTicket(
        .with {
          $0.ticketID = ticket.ticketID; $0.ownerID = "agent-5"; $0.actorID = "lead"
        })
      await expectFailure(.failedPrecondition) {
        _ = try await harness.client.submitCsat(
          .with {
            $0.ticketID = ticket.ticketID; $0.score = 5
          })
      }
      for step: Crm_Feedback_V1_TicketStatus in [.acknowledged, .inProgress, .resolved] {
        try await harness.move(ticket, to: step)
      }
      // When
      let answer = try await harness.client.submitCsat(
        .with {
          $0.ticketID = ticket.ticketID; $0.score = 4; $0.comment = "quick"
        }
      ).answer
      // Then
      #expect(answer.score == 4)
      #expect(answer.customerID == "c1")
      #expect(answer.agentID == "agent-5")
      #expect(answer.submitTime.date == harness.clock.now())
      let event = try await harness.history(ticket).last
      #expect(event?.type == .csatSubmitted)
      #expect(event?.csatScore == 4)
      await expectFailure(.alreadyExists) {
        _ = try await harness.client.submitCsat(
          .with {
            $0.ticketID = ticket.ticketID; $0.score = 1
          })
      }
    }
  }

  @Test("a repeated request with the same key replays the answer")
  func idempotent() async throws {
    try await FeedbackHarness.run { harness in
      let ticket = try await harness.ticket(at: .resolved)
      let request = Crm_Feedback_V1_SubmitCsatRequest.with {
        $0.ticketID = ticket.ticketID
        $0.score = 5
        $0.idempotencyKey.key = "survey-1"
      }
      let first = try await harness.client.submitCsat(request).answer
      let again = try await harness.client.submitCsat(request).answer
      #expect(first == again)
    }
  }

  @Test(
    "a score out of range names the field; an unknown ticket is NOT_FOUND", arguments: [0, 6, -1])
  func badScore(score: Int32) async throws {
    try await FeedbackHarness.run { harness in
      let ticket = try await harness.ticket(at: .resolved)
      await expectFailure(.invalidArgument, field: "score") {
        _ = try await harness.client.submitCsat(
          .with {
            $0.ticketID = ticket.ticketID; $0.score = score
          })
      }
      await expectFailure(.notFound) {
        _ = try await harness.client.submitCsat(
          .with {
            $0.ticketID = "nope"; $0.score = 3
          })
      }
    }
  }
}
