import Contracts
import Feedback
import Foundation
import GRPCCore
import Testing

@Suite("Feedback: concurrent new tickets share transactions (group commit)")
struct TicketGroupCommitTests {
  @Test("concurrent CreateTicket calls with distinct and repeated keys open one ticket per key; a bad category changes nothing")
  func concurrentTickets() async throws {
    try await FeedbackHarness.run { h in
      // Given 60 distinct requests, 20 replays of them and 5 with a category not in the tree
      func request(_ key: String, category: String = "delivery/late") -> Crm_Feedback_V1_CreateTicketRequest {
        .with {
          $0.idempotencyKey.key = key
          $0.ticket.customerID = "c-\(key)"
          $0.ticket.kind = .feedback
          $0.ticket.priority = .normal
          $0.ticket.channel = .inApp
          $0.ticket.category = category
        }
      }
      let distinct = (0..<60).map { request("k\($0)") }
      let calls = distinct + distinct.prefix(20) + (0..<5).map { request("bad\($0)", category: "no/such") }

      // When all run at once
      let outcomes = await withTaskGroup(of: (String, Result<String, RPCError>).self) { group in
        for call in calls {
          group.addTask {
            do {
              return (call.idempotencyKey.key, .success(try await h.client.createTicket(call).ticket.ticketID))
            } catch let error as RPCError {
              return (call.idempotencyKey.key, .failure(error))
            } catch {
              return (call.idempotencyKey.key, .failure(RPCError(code: .unknown, message: "\(error)")))
            }
          }
        }
        return await group.reduce(into: [(String, Result<String, RPCError>)]()) { $0.append($1) }
      }

      // Then each key has one ticket, and its replays answered with it
      var ticketByKey: [String: String] = [:]
      var invalid = 0
      for (key, result) in outcomes {
        switch result {
        case .success(let id):
          if let first = ticketByKey[key] { #expect(first == id, "key \(key)") }
          ticketByKey[key] = id
        case .failure(let error):
          #expect(error.code == .invalidArgument && key.hasPrefix("bad"), "\(key): \(error)")
          invalid += 1
        }
      }
      #expect(ticketByKey.count == 60 && invalid == 5)
      let stored = try await h.database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM ticket")! }
      #expect(stored == 60)
      // and the writes went through the grouped writer
      let statistics = try #require(h.service.ticketWriter?.statistics)
      #expect(statistics.operations == calls.count)
    }
  }
}
