import Contracts
import Foundation
import GRPCCore
import Testing

@Suite("Feedback: NPS on demand")
struct NpsTests {
  typealias H = FeedbackHarness

  @Test("one answer per survey, linked to the ticket's customer and agent")
  func submit() async throws {
    try await H.run { harness in
      // Given: a ticket owned by agent-7
      let ticket = try await harness.createTicket(customer: "c9")
      _ = try await harness.client.assignTicket(
        .with { $0.ticketID = ticket.ticketID; $0.ownerID = "agent-7"; $0.actorID = "lead" })
      // When
      let answer = try await harness.client.submitNps(
        .with {
          $0.answer = .with { $0.surveyID = "s-1"; $0.ticketID = ticket.ticketID; $0.score = 9 }
        }
      ).answer
      // Then
      #expect(answer.customerID == "c9")
      #expect(answer.agentID == "agent-7")
      #expect(answer.score == 9)
      #expect(answer.submitTime.date == harness.clock.now())
      // And a survey without a ticket needs the customer; 0 is a valid score
      let plain = try await harness.client.submitNps(
        .with { $0.answer = .with { $0.surveyID = "s-2"; $0.customerID = "c1"; $0.score = 0 } }
      ).answer
      #expect(plain.score == 0)
      #expect(plain.ticketID.isEmpty)
      // And a second answer to a survey is refused
      await expectFailure(.alreadyExists) {
        _ = try await harness.client.submitNps(
          .with { $0.answer = .with { $0.surveyID = "s-1"; $0.customerID = "c9"; $0.score = 3 } })
      }
      await expectFailure(.invalidArgument, field: "answer.score") {
        _ = try await harness.client.submitNps(
          .with { $0.answer = .with { $0.surveyID = "s-3"; $0.customerID = "c1"; $0.score = 11 } })
      }
      await expectFailure(.invalidArgument, field: "answer.customer_id") {
        _ = try await harness.client.submitNps(
          .with { $0.answer = .with { $0.surveyID = "s-3"; $0.score = 5 } })
      }
      await expectFailure(.invalidArgument, field: "answer.customer_id") {
        _ = try await harness.client.submitNps(
          .with {
            $0.answer = .with {
              $0.surveyID = "s-3"; $0.customerID = "c1"; $0.ticketID = ticket.ticketID
              $0.score = 5
            }
          })
      }
      await expectFailure(.notFound) {
        _ = try await harness.client.submitNps(
          .with { $0.answer = .with { $0.surveyID = "s-3"; $0.ticketID = "nope"; $0.score = 5 } })
      }
    }
  }
}
