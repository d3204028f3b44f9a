import Contracts
import Foundation
import GRPCCore
import Interaction
import SwiftProtobuf
import Testing

@Suite("Interaction: events from the other services become moments, once")
struct EventFlowTests {
  @Test("a registration starts the welcome tasks; a redelivery changes nothing")
  func registration() async throws {
    try await InteractionHarness.run { h in
      try await h.register("c1")
      try await h.register("c1")
      let tasks = try await h.tasks(of: "c1")
      #expect(tasks.map(\.type) == ["welcome_pack", "first_use_call", "satisfaction_survey"])
      #expect(tasks.first?.momentKind == "registration")
    }
  }

  @Test("a first purchase starts its moment; a later purchase does not")
  func firstPurchase() async throws {
    try await InteractionHarness.run { h in
      try await h.deliver(id: "p1", customerID: "c1", .purchaseRecorded(.with { $0.orderID = "o1"; $0.firstPurchase = true }))
      try await h.deliver(id: "p2", customerID: "c1", .purchaseRecorded(.with { $0.orderID = "o2"; $0.firstPurchase = false }))
      #expect(try await h.tasks(of: "c1").map(\.momentKind) == ["first_purchase"])
    }
  }

  @Test("turning dormant starts churn-warning care; other stage changes do not")
  func dormant() async throws {
    try await InteractionHarness.run { h in
      try await h.deliver(id: "s1", customerID: "c1", .lifecycleStageChanged(.with { $0.fromStage = "new"; $0.toStage = "active" }))
      #expect(try await h.tasks(of: "c1").isEmpty)
      try await h.deliver(id: "s2", customerID: "c1", .lifecycleStageChanged(.with { $0.fromStage = "active"; $0.toStage = "dormant" }))
      #expect(try await h.tasks(of: "c1").map(\.type) == ["care_call", "come_back_offer"])
    }
  }

  @Test("a resolved complaint schedules the 24 h call, the 72 h survey and a month of follow-up")
  func complaintResolved() async throws {
    try await InteractionHarness.run { h in
      let resolved = h.clock.now().addingTimeInterval(-3_600)
      try await h.deliver(
        id: "t1", customerID: "c1", source: "feedback",
        .complaintResolved(.with { $0.ticketID = "T-1"; $0.resolvedTime = .init(date: resolved) }))
      let tasks = try await h.tasks(of: "c1")
      let offsets: [TimeInterval] = [24 * 3_600, 72 * 3_600, 7 * 86_400, 14 * 86_400, 21 * 86_400, 30 * 86_400]
      let expected = offsets.map { resolved.addingTimeInterval($0) }
      #expect(tasks.map(\.dueTime.date) == expected)
      let allTransactional = tasks.allSatisfy { $0.transactional }
      #expect(allTransactional)
    }
  }

  @Test("logging a touch tells segmentation of the activity through the outbox")
  func activityOutbox() async throws {
    try await InteractionHarness.run { h in
      _ = try await h.client.logInteraction(.with {
        $0.interaction = .with { $0.customerID = "c1"; $0.type = "care_call"; $0.channel = .phone }
      })
      let status = try await h.outbox.getOutboxStatus(.init()).destinations
      #expect(status.map(\.destination) == ["segmentation"])
      #expect(status.first?.pending == 1)
    }
  }
}
