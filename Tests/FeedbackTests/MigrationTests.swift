import Contracts
import Feedback
import Foundation
import GRDB
import GRPCCore
import Logging
import ServiceKit
import ServiceKitTesting
import Testing

@Suite("Feedback: upgrading a store from tickets-v1")
struct MigrationTests {
  @Test("a ticket from before the lifecycle gets a history and a running first-response clock")
  func backfill() async throws {
    // Given: a store with only the first migrations, holding one unanswered ticket
    let database = try DatabaseQueue()
    try FeedbackStore.migrator.migrate(database, upTo: "tickets-v1")
    let clock = ManualClock()
    let created = clock.now()
    try await database.write { db in
      try db.execute(
        sql: """
          INSERT INTO ticket (id, customer_id, kind, priority, channel, category, text, status,
                              created_at, first_response_due_at)
          VALUES ('old-1', 'c9', 1, 1, 1, 'legacy/topic', '', 1, ?, ?)
          """,
        arguments: [created, created.addingTimeInterval(600)])
    }
    // When
    try FeedbackStore.migrator.migrate(database)
    let service = FeedbackService(
      store: FeedbackStore(database: database), clock: clock, logger: Logger(label: "test"))
    try await withInProcessServer([service]) { grpc in
      let client = Crm_Feedback_V1_FeedbackService.Client(wrapping: grpc)
      // Then
      let ticket = try await client.getTicket(.with { $0.ticketID = "old-1" }).ticket
      #expect(ticket.category == "legacy/topic")
      #expect(ticket.clocks.map(\.kind) == [.firstResponse])
      #expect(ticket.clocks.first?.dueTime.date == created.addingTimeInterval(600))
      let history = try await client.getTicketHistory(.with { $0.ticketID = "old-1" }).events
      #expect(history.map(\.type) == [.created])
      #expect(history.first?.actorID == "c9")
      clock.advance(by: 601)
      #expect(try await client.runSlaScan(.init()).breachedCount == 1)
      // And the old ticket moves on under a policy chosen now
      let acknowledged = try await client.transitionTicket(
        .with {
          $0.ticketID = "old-1"; $0.targetStatus = .acknowledged; $0.actorID = "agent-1"
        }
      ).ticket
      #expect(
        acknowledged.clock(.nextUpdate)?.dueTime.date == clock.now().addingTimeInterval(48 * 3600))
    }
  }
}
