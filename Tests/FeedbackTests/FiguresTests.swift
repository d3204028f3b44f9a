import Contracts
import Foundation
import GRPCCore
import SwiftProtobuf
import Testing

@Suite("Feedback: figures between two dates")
struct FiguresTests {
  typealias H = FeedbackHarness

  @Test("SLA met %, first-contact resolution, repeat and complaint rates, CSAT, NPS, backlog age")
  func figures() async throws {
    try await H.run { harness in
      let start = harness.clock.now()
      // Given: an urgent feedback answered late (breached), a complaint answered at once and
      // resolved at first contact, a repeat of the same category for c1 that waited on the
      // customer, and one left open
      let late = try await harness.createTicket(priority: .urgent, category: "billing")
      harness.clock.advance(by: 11 * H.minute)
      _ = try await harness.client.runSlaScan(.init())
      let complaint = try await harness.ticket(at: .resolved, kind: .complaint)
      _ = try await harness.client.submitCsat(.with { $0.ticketID = complaint.ticketID; $0.score = 5 })
      var repeatTicket = try await harness.createTicket(category: "billing")
      repeatTicket = try await harness.move(repeatTicket, to: .acknowledged)
      repeatTicket = try await harness.move(repeatTicket, to: .inProgress)
      repeatTicket = try await harness.move(repeatTicket, to: .waitingOnCustomer)
      repeatTicket = try await harness.move(repeatTicket, to: .resolved)
      _ = try await harness.client.submitCsat(.with { $0.ticketID = repeatTicket.ticketID; $0.score = 2 })
      for (survey, score) in [("s1", 10), ("s2", 9), ("s3", 3), ("s4", 7)] {
        _ = try await harness.client.submitNps(
          .with { $0.answer = .with { $0.surveyID = survey; $0.customerID = "c1"; $0.score = Int32(score) } })
      }
      harness.clock.advance(by: H.hour)
      // When
      let figures = try await harness.client.getFeedbackFigures(
        .with {
          $0.fromTime = Google_Protobuf_Timestamp(date: start)
          $0.toTime = Google_Protobuf_Timestamp(date: harness.clock.now())
        })
      // Then
      let urgentFirst = figures.sla.first { $0.clock == .firstResponse && $0.priority == .urgent }
      #expect(urgentFirst?.breached == 1)
      #expect(urgentFirst?.metPercent == 0)
      let normalFirst = figures.sla.first { $0.clock == .firstResponse && $0.priority == .normal }
      #expect(normalFirst?.met == 2)
      #expect(normalFirst?.metPercent == 100)
      #expect(figures.ticketsCreated == 3)
      #expect(figures.complaintsCreated == 1)
      #expect(abs(figures.complaintRatePercent - 100.0 / 3) < 0.001)
      #expect(figures.ticketsResolved == 2)
      #expect(figures.firstContactResolutionPercent == 50)
      #expect(abs(figures.repeatRatePercent - 100.0 / 3) < 0.001)  // the second billing ticket
      #expect(figures.csatAnswers == 2)
      #expect(figures.csatAverage == 3.5)
      #expect(figures.npsAnswers == 4)
      #expect(figures.nps == 25)  // 2 promoters, 1 detractor, of 4
      #expect(figures.backlogOpen == 1)
      #expect(figures.backlogOldestAge.seconds == Int64(11 * H.minute + H.hour))
      // And a window before anything happened is empty
      let empty = try await harness.client.getFeedbackFigures(
        .with {
          $0.fromTime = Google_Protobuf_Timestamp(date: start.addingTimeInterval(-H.day))
          $0.toTime = Google_Protobuf_Timestamp(date: start)
        })
      #expect(empty.ticketsCreated == 0)
      #expect(empty.sla.isEmpty)
      #expect(empty.backlogOpen == 0)
      await expectFailure(.invalidArgument, field: "to_time") {
        _ = try await harness.client.getFeedbackFigures(
          .with {
            $0.fromTime = Google_Protobuf_Timestamp(date: start)
            $0.toTime = Google_Protobuf_Timestamp(date: start)
          })
      }
      await expectFailure(.invalidArgument, field: "from_time") {
        _ = try await harness.client.getFeedbackFigures(.init())
      }
    }
  }
}
