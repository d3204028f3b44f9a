import Contracts
import Foundation
import GRPCCore
import ServiceKit
import SwiftProtobuf
import Testing

@Suite("Feedback: events from trust, events to interaction and segmentation")
struct EventTests {
  typealias H = FeedbackHarness

  static func review(id: String, rating: Int32, customer: String = "c7") -> Crm_Events_V1_Event {
    .with {
      $0.eventID = id
      $0.source = "trust"
      $0.customerID = customer
      $0.payload = .reviewPublished(
        .with {
          $0.reviewID = "r-\(id)"; $0.productID = "p1"; $0.rating = rating
          $0.title = "Broke after a day"
        })
    }
  }

  @Test("a low-rated review opens one complaint, however often it is delivered")
  func reviewOpensComplaint() async throws {
    try await H.run { harness in
      // Given: a 1-star review and a 4-star one (which trust should not send, checked anyway)
      let low = Self.review(id: "ev-1", rating: 1)
      let fine = Self.review(id: "ev-2", rating: 4, customer: "c8")
      // When: delivered, then delivered again
      for _ in 0..<2 {
        let response = try await harness.events.deliverEvents(.with { $0.events = [low, fine] })
        #expect(response.acknowledgedEventIds == ["ev-1", "ev-2"])
        #expect(response.rejected.isEmpty)
      }
      // Then: one complaint, from the review channel, for c7 only
      let activity = try await harness.outboxEvents(to: .segmentation)
      #expect(activity.count == 1)
      #expect(activity.first?.customerID == "c7")
      #expect(activity.first?.customerActivity.kind == "ticket")
      let rows = try await harness.database.read { db in
        try String.fetchAll(db, sql: "SELECT id FROM ticket WHERE customer_id = 'c7'")
      }
      #expect(rows.count == 1)
      let ticket = try await harness.client.getTicket(.with { $0.ticketID = rows[0] }).ticket
      #expect(ticket.kind == .complaint)
      #expect(ticket.channel == .review)
      #expect(ticket.priority == .urgent)
      #expect(ticket.category == "product/quality")
      #expect(ticket.text.contains("Broke after a day"))
      #expect(ticket.slaPolicyID == "complaint-urgent")
      // And the review id is the ticket's client request id: the same key through the RPC
      // with another body is refused rather than opening a second ticket.
      await expectFailure(.alreadyExists) {
        _ = try await harness.client.createTicket(
          .with {
            $0.ticket = .with {
              $0.customerID = "c7"; $0.kind = .feedback; $0.priority = .normal
              $0.channel = .inApp; $0.category = "other"
            }
            $0.idempotencyKey.key = "review-r-ev-1"
          })
      }
    }
  }

  @Test("a review event without a customer is rejected for good")
  func reviewWithoutCustomerIsRejected() async throws {
    try await H.run { harness in
      let response = try await harness.events.deliverEvents(
        .with { $0.events = [Self.review(id: "ev-3", rating: 2, customer: "")] })
      #expect(response.rejected.map(\.eventID) == ["ev-3"])
      #expect(try await harness.outboxEvents(to: .segmentation).isEmpty)
    }
  }

  @Test("a complaint reaching resolved tells interaction, in the same write; feedback does not")
  func complaintResolvedIsSent() async throws {
    try await H.run { harness in
      // Given: a complaint and a piece of feedback, both resolved
      let complaint = try await harness.ticket(at: .resolved, kind: .complaint)
      _ = try await harness.ticket(at: .resolved, kind: .feedback)
      // Then: one ComplaintResolved, for the complaint
      let sent = try await harness.outboxEvents(to: .interaction)
      #expect(sent.count == 1)
      #expect(sent.first?.source == "feedback")
      #expect(sent.first?.customerID == complaint.customerID)
      #expect(sent.first?.complaintResolved.ticketID == complaint.ticketID)
      #expect(sent.first?.complaintResolved.category == complaint.category)
      #expect(sent.first?.complaintResolved.resolvedTime.date == harness.clock.now())
      // And every ticket created reported activity to segmentation
      #expect(try await harness.outboxEvents(to: .segmentation).count == 2)
      // And the outbox status shows both destinations pending
      let status = try await harness.outbox.getOutboxStatus(.init())
      #expect(status.destinations.map(\.destination).sorted() == ["interaction", "segmentation"])
      #expect(status.destinations.map(\.pending).reduce(0, +) == 3)
      // And a refused transition writes no event
      await expectFailure(.failedPrecondition) {
        _ = try await harness.move(complaint, to: .closed)
      }
      #expect(try await harness.outboxEvents(to: .interaction).count == 1)
    }
  }
}
