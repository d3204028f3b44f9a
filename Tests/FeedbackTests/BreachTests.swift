import Contracts
import Foundation
import GRPCCore
import Testing

@Suite("Feedback: the breach scan and the breach list")
struct BreachTests {
  typealias H = FeedbackHarness

  @Test("the scan breaches clocks past due at the clock's time, once, with a system event")
  func scan() async throws {
    try await H.run { harness in
      // Given: an urgent ticket (10 minutes) and a normal one (30 minutes)
      let urgent = try await harness.createTicket(priority: .urgent)
      let normal = try await harness.createTicket(priority: .normal)
      harness.clock.advance(by: 10 * H.minute)
      #expect(try await harness.client.runSlaScan(.init()).breachedCount == 0)  // due now is not late
      // When
      harness.clock.advance(by: 1)
      let result = try await harness.client.runSlaScan(.init())
      // Then
      #expect(result.breachedCount == 1)
      #expect(result.scanTime.date == harness.clock.now())
      let clock = try await harness.client.getTicket(.with { $0.ticketID = urgent.ticketID }).ticket
        .clock(.firstResponse)
      #expect(clock?.state == .breached)
      #expect(clock?.endTime.date == harness.clock.now())
      let event = try await harness.history(urgent).last
      #expect(event?.type == .clockBreached)
      #expect(event?.actorID == "system")
      #expect(try await harness.client.runSlaScan(.init()).breachedCount == 0)
      #expect(
        try await harness.client.getTicket(.with { $0.ticketID = normal.ticketID }).ticket.clock(
          .firstResponse)?.state == .running)
      // And a late acknowledgement leaves the breach as it is
      let acknowledged = try await harness.move(urgent, to: .acknowledged)
      #expect(acknowledged.clock(.firstResponse)?.endTime.date == harness.clock.now())
      #expect(try await harness.history(urgent).filter { $0.type == .clockBreached }.count == 1)
    }
  }

  @Test("breaches are listed per owner, paged")
  func listByOwner() async throws {
    try await H.run { harness in
      // Given: two tickets for am-1, one for am-2, all past their first response
      var tickets: [Crm_Feedback_V1_Ticket] = []
      for owner in ["am-1", "am-1", "am-2"] {
        let ticket = try await harness.createTicket(priority: .urgent)
        tickets.append(
          try await harness.client.assignTicket(
            .with {
              $0.ticketID = ticket.ticketID; $0.ownerID = owner; $0.actorID = "lead"
            }
          ).ticket)
      }
      harness.clock.advance(by: H.hour)
      _ = try await harness.client.runSlaScan(.init())
      // When
      let first = try await harness.client.listBreaches(
        .with {
          $0.ownerID = "am-1"; $0.page.pageSize = 1
        })
      let second = try await harness.client.listBreaches(
        .with {
          $0.ownerID = "am-1";
          $0.page = .with {
            $0.pageSize = 1; $0.pageToken = first.page.nextPageToken
          }
        })
      // Then
      let breaches = first.breaches + second.breaches
      #expect(breaches.map(\.ticketID) == [tickets[0].ticketID, tickets[1].ticketID])
      #expect(
        breaches.allSatisfy {
          $0.ownerID == "am-1" && $0.clock == .firstResponse && $0.priority == .urgent
        })
      #expect(breaches.first?.breachTime.date == harness.clock.now())
      #expect(breaches.first?.dueTime.date == tickets[0].clock(.firstResponse)?.dueTime.date)
      #expect(second.page.nextPageToken.isEmpty)
      #expect(
        try await harness.client.listBreaches(.with { $0.ownerID = "am-2" }).breaches.count == 1)
      #expect(try await harness.client.listBreaches(.with { $0.ownerID = "am-9" }).breaches.isEmpty)
      await expectFailure(.invalidArgument, field: "owner_id") {
        _ = try await harness.client.listBreaches(.init())
      }
      await expectFailure(.invalidArgument, field: "page.page_token") {
        _ = try await harness.client.listBreaches(
          .with {
            $0.ownerID = "am-2"; $0.page.pageToken = first.page.nextPageToken
          })
      }
    }
  }
}
