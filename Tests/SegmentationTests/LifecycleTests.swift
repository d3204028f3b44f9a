import Contracts
import Foundation
import GRDB
import GRPCCore
import Logging
import Segmentation
import ServiceKit
import ServiceKitTesting
import SwiftProtobuf
import Testing

@Suite("Segmentation: lifecycle stages")
struct LifecycleTests {
  static let day: TimeInterval = 86_400

  @Test("a buyer is new, active after 30 days, dormant after 90 quiet days, churned after 365")
  func stagesMoveWithTheScan() async throws {
    try await SegmentationHarness.run { harness in
      // Given a customer who registers and buys today
      let id = try await harness.createCustomer("Ann")
      #expect(try await harness.get(id).lifecycleStage == "new")
      try await harness.record(harness.purchase("o-1", customer: id, amount: 100))
      let bought = try await harness.get(id)
      #expect(bought.lifecycleStage == "new")
      #expect(bought.lastActivityTime == bought.lastPurchaseTime)

      // When 31 days pass and the scan runs, then the buyer is active
      harness.clock.advance(by: 31 * Self.day)
      #expect(try await harness.client.runLifecycleScan(.init()).changedCustomers == 1)
      #expect(try await harness.get(id).lifecycleStage == "active")
      // A second scan finds nothing due
      #expect(try await harness.client.runLifecycleScan(.init()).changedCustomers == 0)

      // When 90 days pass without activity, dormant; after 365, churned
      harness.clock.advance(by: 60 * Self.day)
      #expect(try await harness.client.runLifecycleScan(.init()).changedCustomers == 1)
      #expect(try await harness.get(id).lifecycleStage == "dormant")
      harness.clock.advance(by: 275 * Self.day)
      #expect(try await harness.client.runLifecycleScan(.init()).changedCustomers == 1)
      #expect(try await harness.get(id).lifecycleStage == "churned")

      // Then each change is in the history with its cause
      let history = try await harness.client.listProfileHistory(.with { $0.customerID = id })
      let stages = history.changes.filter { $0.kind == .lifecycleStage }
      #expect(stages.map { "\($0.fromValue)->\($0.toValue):\($0.cause)" } == [
        "->new:registered", "new->active:lifecycle_scan", "active->dormant:lifecycle_scan",
        "dormant->churned:lifecycle_scan",
      ])

      // And each move was told to interaction and loyalty, in the same store
      let moves = try await harness.outbox().compactMap { entry -> String? in
        guard case .lifecycleStageChanged(let change) = entry.event.payload else { return nil }
        return "\(change.fromStage)->\(change.toStage)@\(entry.destination)"
      }
      #expect(moves == [
        "new->active@interaction", "new->active@loyalty", "active->dormant@interaction",
        "active->dormant@loyalty", "dormant->churned@interaction", "dormant->churned@loyalty",
      ])
    }
  }

  @Test("reported activity keeps a profile active; its id makes it safe to repeat")
  func reportedActivity() async throws {
    try await SegmentationHarness.run { harness in
      // Given an active buyer who goes quiet for 80 days
      let id = try await harness.createCustomer("Bo")
      try await harness.record(harness.purchase("o-1", customer: id, amount: 100))
      harness.clock.advance(by: 80 * Self.day)
      let report = Crm_Segmentation_V1_ReportActivityRequest.with {
        $0.customerID = id
        $0.kind = "interaction"
        $0.activityID = "call-1"
        $0.activityTime = .init(date: harness.clock.now())
      }

      // When interaction reports a call, twice
      let first = try await harness.client.reportActivity(report).customer
      let again = try await harness.client.reportActivity(report).customer
      #expect(first.lastActivityTime == Google_Protobuf_Timestamp(date: harness.clock.now()))
      #expect(again == first)

      // Then 20 days later (100 after the purchase) the customer is still active
      harness.clock.advance(by: 20 * Self.day)
      _ = try await harness.client.runLifecycleScan(.init())
      #expect(try await harness.get(id).lifecycleStage == "active")
      // and turns dormant only 90 days after the call
      harness.clock.advance(by: 71 * Self.day)
      _ = try await harness.client.runLifecycleScan(.init())
      #expect(try await harness.get(id).lifecycleStage == "dormant")

      // The same id with another body changes nothing
      var other = report
      other.kind = "ticket"
      await expectRPCError(.alreadyExists) { _ = try await harness.client.reportActivity(other) }
      // Bad input is named; an unknown customer is NOT_FOUND
      var bad = report
      bad.activityID = "call-2"
      bad.clearActivityTime()
      await expectRPCError(.invalidArgument, field: "activity_time") {
        _ = try await harness.client.reportActivity(bad)
      }
      bad = report
      bad.activityID = "call-3"
      bad.kind = ""
      await expectRPCError(.invalidArgument, field: "kind") {
        _ = try await harness.client.reportActivity(bad)
      }
      bad = report
      bad.activityID = "call-4"
      bad.customerID = "nobody"
      await expectRPCError(.notFound) { _ = try await harness.client.reportActivity(bad) }
      let causes = try await harness.client.listProfileHistory(.with { $0.customerID = id })
        .changes.map(\.cause)
      #expect(!causes.contains("activity:ticket"))
    }
  }

  @Test("the windows are configuration")
  func configuredWindows() async throws {
    let policy = LifecyclePolicy(newWindow: 1 * Self.day, dormantAfter: 5 * Self.day, churnedAfter: 10 * Self.day)
    try await SegmentationHarness.run(lifecycle: policy) { harness in
      let id = try await harness.createCustomer("Cy")
      try await harness.record(harness.purchase("o-1", customer: id, amount: 100))
      harness.clock.advance(by: 2 * Self.day)
      _ = try await harness.client.runLifecycleScan(.init())
      #expect(try await harness.get(id).lifecycleStage == "active")
      harness.clock.advance(by: 4 * Self.day)
      _ = try await harness.client.runLifecycleScan(.init())
      #expect(try await harness.get(id).lifecycleStage == "dormant")
      harness.clock.advance(by: 5 * Self.day)
      _ = try await harness.client.runLifecycleScan(.init())
      #expect(try await harness.get(id).lifecycleStage == "churned")
    }
  }

  @Test("registration goes to interaction; purchases to interaction and loyalty; refunds to loyalty")
  func eventsAndConsumers() async throws {
    try await SegmentationHarness.run { harness in
      let id = try await harness.createCustomer("Di")
      try await harness.record(harness.purchase("o-1", customer: id, amount: 500))
      try await harness.refund("r-1", order: "o-1", amount: 100)
      let sent = try await harness.outbox().map { entry -> String in
        let kind: String
        switch entry.event.payload {
        case .customerRegistered(let registered): kind = "registered(\(registered.displayName))"
        case .purchaseRecorded(let purchase): kind = "purchase(\(purchase.orderID))"
        case .purchaseRefunded(let refund): kind = "refund(\(refund.refundID))"
        default: kind = "other"
        }
        return "\(kind)@\(entry.destination)"
      }
      #expect(sent == [
        "registered(Di)@interaction", "purchase(o-1)@interaction", "purchase(o-1)@loyalty",
        "refund(r-1)@loyalty",
      ])
      #expect(SegmentationService.eventDestinations == [.interaction, .loyalty])
    }
  }

  @Test("activity and loyalty-tier events from the sink reach the profile, once each")
  func eventsFromOtherServices() async throws {
    try await SegmentationHarness.run { harness in
      // Given a buyer who went quiet for 100 days (dormant)
      let id = try await harness.createCustomer("Ed")
      try await harness.record(harness.purchase("o-1", customer: id, amount: 100))
      harness.clock.advance(by: 100 * Self.day)
      _ = try await harness.client.runLifecycleScan(.init())
      #expect(try await harness.get(id).lifecycleStage == "dormant")

      // When feedback reports a ticket and loyalty a tier change, each delivered twice
      let activity = Crm_Events_V1_Event.with {
        $0.eventID = "ev-1"
        $0.source = "feedback"
        $0.customerID = id
        $0.customerActivity = .with {
          $0.kind = "ticket"
          $0.activityTime = .init(date: harness.clock.now())
        }
      }
      let tier = Crm_Events_V1_Event.with {
        $0.eventID = "ev-2"
        $0.source = "loyalty"
        $0.customerID = id
        $0.loyaltyTierChanged = .with {
          $0.fromTier = "silver"
          $0.toTier = "gold"
        }
      }
      for _ in 0..<2 {
        let ack = try await harness.events.deliverEvents(.with { $0.events = [activity, tier] })
        #expect(ack.acknowledgedEventIds == ["ev-1", "ev-2"] && ack.rejected.isEmpty)
      }

      // Then the profile is active again with the ticket as its last activity, and gold
      let profile = try await harness.get(id)
      #expect(profile.lifecycleStage == "active")
      #expect(profile.lastActivityTime == Google_Protobuf_Timestamp(date: harness.clock.now()))
      #expect(profile.loyaltyTier == "gold")
      let changes = try await harness.client.listProfileHistory(.with { $0.customerID = id }).changes
      #expect(changes.filter { $0.cause == "activity:ticket" && $0.kind == .lifecycleStage }.count == 1)

      // An activity for an unknown customer is rejected for good, not retried
      var unknown = activity
      unknown.eventID = "ev-3"
      unknown.customerID = "nobody"
      let rejected = try await harness.events.deliverEvents(.with { $0.events = [unknown] })
      #expect(rejected.rejected.map(\.eventID) == ["ev-3"])
    }
  }

  @Test("the background scanner moves stages as the clock passes their windows")
  func backgroundScanner() async throws {
    try await SegmentationHarness.run { harness in
      let id = try await harness.createCustomer("Flo")
      try await harness.record(harness.purchase("o-1", customer: id, amount: 100))
      let scanner = LifecycleScanner(
        store: harness.store, clock: harness.clock, logger: Logger(label: "test"),
        interval: .milliseconds(5))
      try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await scanner.run() }
        defer { group.cancelAll() }
        harness.clock.advance(by: 40 * Self.day)
        var stage = ""
        for _ in 0..<400 where stage != "active" {
          stage = try await harness.get(id).lifecycleStage
          if stage != "active" { try await Task.sleep(for: .milliseconds(5)) }
        }
        #expect(stage == "active")
      }
    }
  }

  @Test("the scan reads only profiles whose window passed, from an index")
  func scanUsesTheDeadlineIndex() async throws {
    try await SegmentationHarness.run { harness in
      let plan = try await harness.store.database.read { db in
        try Row.fetchAll(
          db,
          sql: "EXPLAIN QUERY PLAN SELECT * FROM customer WHERE stage_deadline_at <= ? ORDER BY stage_deadline_at LIMIT 500",
          arguments: [Date()]
        ).map { $0["detail"] as String }
      }
      #expect(plan.contains { $0.contains("USING INDEX customer_by_stage_deadline") }, "\(plan)")
    }
  }
}
