import Contracts
import Testing

/// A customer's tickets and an owner's queue, paged by ticket id.
@Suite struct ListTicketsTests {
  @Test func customerTicketsAndOwnerQueue() async throws {
    try await FeedbackHarness.run { harness in
      var mine: [String] = []
      for n in 0..<5 { mine.append(try await harness.createTicket(customer: "c1", text: "n\(n)").ticketID) }
      _ = try await harness.createTicket(customer: "c2")
      // A closed ticket drops out unless asked for.
      let closed = try await harness.ticket(at: .closed)  // customer c1
      mine.append(closed.ticketID)

      var seen: [String] = []
      var token = ""
      repeat {
        let page = try await harness.client.listTickets(.with {
          $0.customerID = "c1"
          $0.page.pageSize = 2
          $0.page.pageToken = token
        })
        seen += page.tickets.map(\.ticketID)
        token = page.page.nextPageToken
      } while !token.isEmpty
      #expect(seen == mine.filter { $0 != closed.ticketID }.sorted())

      let all = try await harness.client.listTickets(.with { $0.customerID = "c1"; $0.includeClosed = true })
      #expect(all.tickets.map(\.ticketID) == mine.sorted())

      _ = try await harness.client.assignTicket(.with { $0.ticketID = mine[1]; $0.ownerID = "agent-7"; $0.actorID = "lead" })
      let queue = try await harness.client.listTickets(.with { $0.ownerID = "agent-7" })
      #expect(queue.tickets.map(\.ticketID) == [mine[1]])

      await expectFailure(.invalidArgument, field: "customer_id") {
        _ = try await harness.client.listTickets(.with { $0.customerID = "c1"; $0.ownerID = "agent-7" })
      }
      await expectFailure(.invalidArgument, field: "page.page_token") {
        _ = try await harness.client.listTickets(.with { $0.ownerID = "agent-7"; $0.page.pageToken = token.isEmpty ? "bogus" : token })
      }
    }
  }

  @Test func reviewPublishedTwiceOpensOneComplaint() async throws {
    try await FeedbackHarness.run { harness in
      for (eventID, rating) in [("e1", Int32(1)), ("e2", Int32(2))] {
        let response = try await harness.events.deliverEvents(.with {
          $0.events = [.with {
            $0.eventID = eventID
            $0.source = "trust"
            $0.customerID = "c9"
            $0.reviewPublished = .with { $0.reviewID = "r1"; $0.productID = "p1"; $0.rating = rating; $0.title = "bad" }
          }]
        })
        #expect(response.rejected.isEmpty)
      }
      let tickets = try await harness.client.listTickets(.with { $0.customerID = "c9" }).tickets
      #expect(tickets.count == 1)
      #expect(tickets.first?.kind == .complaint)
    }
  }
}
