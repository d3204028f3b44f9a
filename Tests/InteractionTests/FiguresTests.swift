import Contracts
import Foundation
import GRPCCore
import Interaction
import SwiftProtobuf
import Testing

@Suite("Interaction: figures between two dates")
struct FiguresTests {
  @Test("interactions per customer, on-time rate, mood and score, by channel")
  func figures() async throws {
    try await InteractionHarness.run { h in
      let start = h.clock.now()
      let tasks = try await h.client.recordMoment(.with { $0.customerID = "c1"; $0.kind = "churn_warning"; $0.occurrenceID = "w" }).tasks
      // The call is done on time, the offer is left overdue.
      _ = try await h.client.completeTask(.with {
        $0.taskID = tasks[0].taskID
        $0.outcome = .with { $0.type = "care_call"; $0.channel = .phone; $0.mood = .satisfied; $0.score = 5 }
      })
      _ = try await h.client.logInteraction(.with {
        $0.interaction = .with { $0.customerID = "c1"; $0.type = "chat"; $0.channel = .messaging; $0.mood = .unhappy; $0.score = 2 }
      })
      _ = try await h.client.logInteraction(.with {
        $0.interaction = .with { $0.customerID = "c2"; $0.type = "chat"; $0.channel = .messaging; $0.mood = .neutral }
      })
      h.clock.advance(by: 5 * 86_400)
      let figures = try await h.client.getInteractionFigures(.with {
        $0.fromTime = .init(date: start); $0.toTime = .init(date: start.addingTimeInterval(30 * 86_400))
      })
      #expect(figures.overall.interactions == 3)
      #expect(figures.overall.customers == 2)
      #expect(figures.overall.interactionsPerCustomer == 1.5)
      #expect(figures.overall.onTimeRate == 0.5)
      #expect(figures.overall.averageMood == 0)
      #expect(figures.overall.averageScore == 3.5)
      let messaging = figures.byChannel.first { $0.channel == .messaging }
      #expect(messaging?.interactions == 2)
      #expect(messaging?.averageMood == -0.5)
      #expect(figures.byChannel.first { $0.channel == .phone }?.onTimeRate == 1)

      let reversed = await rpcFailure {
        _ = try await h.client.getInteractionFigures(.with { $0.fromTime = .init(date: start); $0.toTime = .init(date: start) })
      }
      #expect(reversed?.message.hasPrefix("to_time:") == true)
    }
  }
}
