import Contracts
import Foundation
import GRPCCore
import ServiceKit
import ServiceKitTesting
import Testing

/// Nothing acknowledged is lost and nothing is applied twice when receivers crash: 2,000
/// purchases recorded while loyalty and interaction are killed with -9 and restarted.
@Suite("Fault: receivers killed mid-stream", .serialized, .timeLimit(.minutes(8)))
struct SuiteFaultTests {
  static let customers = 100
  static let purchasesPerCustomer = 20

  @Test("2,000 purchases, loyalty and interaction killed -9 and restarted: every order earns once, every moment's tasks exist once")
  func purchasesSurviveReceiverCrashes() async throws {
    let suite = try await SuiteProcesses.start()
    do {
      try await Self.run(suite)
    } catch {
      await suite.stopAll()
      throw error
    }
    await suite.stopAll()
  }

  static func run(_ suite: SuiteProcesses) async throws {
    var ids: [String] = []
    for n in 0..<customers { ids.append(try await SuiteFlowTests.createCustomer(suite, "Fault \(n)")) }
    let customerIDs = ids
    let total = customers * purchasesPerCustomer
    let started = ContinuousClock.now
    let now = Date()

    // Record the purchases 16 at a time; kill the receivers after 600, restart them after 1,400.
    try await suite.withClient(.segmentation) { client in
      let segmentation = Crm_Segmentation_V1_SegmentationService.Client(wrapping: client)
      var next = 0
      while next < total {
        let batch = next..<min(next + 16, total)
        try await withThrowingTaskGroup(of: Void.self) { group in
          for n in batch {
            group.addTask {
              let customer = customerIDs[n % customers]
              _ = try await segmentation.recordPurchase(.with {
                $0.purchase = SuiteFlowTests.purchase(
                  customer, order: "fault-\(n)", amountMinor: Int64(10_00 + (n % 7) * 100), product: "p-\(n % 9)",
                  at: now.addingTimeInterval(-Double(total - n)))
              })
            }
          }
          try await group.waitForAll()
        }
        next = batch.upperBound
        if next == 608 {
          await suite.kill9(.loyalty)
          await suite.kill9(.interaction)
        }
        if next == 1_408 {
          try await suite.start(.loyalty)
          try await suite.start(.interaction)
        }
      }
    }
    let recorded = ContinuousClock.now

    // Drain: the relay may be in its longest backoff (30 s) after the outage.
    let statuses = try await suite.withClient(.segmentation) { client in
      try await eventually(timeout: .seconds(180), every: .milliseconds(200), {
        try await Crm_Events_V1_Outbox.Client(wrapping: client).getOutboxStatus(.init()).destinations
      }) { destinations in destinations.allSatisfy { $0.pending == 0 } }
    }
    let drained = ContinuousClock.now
    for destination in statuses {
      #expect(destination.pending == 0, "\(destination.destination) still has \(destination.pending) pending")
      #expect(destination.rejected == 0, "\(destination.destination): \(destination.lastError)")
    }
    let delivered = statuses.reduce(0) { $0 + $1.delivered }
    let seconds = Double((drained - started).components.seconds) + Double((drained - started).components.attoseconds) / 1e18
    print(
      "fault test: \(total) purchases recorded in \(recorded - started), outboxes drained \(drained - recorded) later; "
        + "\(delivered) events delivered, \(Int(Double(delivered) / seconds)) events/s overall")

    // Every order earned once; every customer's registration and first purchase made their tasks once.
    try await suite.withClient(.loyalty) { client in
      for (index, customer) in customerIDs.enumerated() {
        let earns = try await ledger(of: customer, in: client).filter { $0.kind == "earn" }
        let expected = Set((0..<total).filter { $0 % customers == index }.map { "order fault-\($0)" })
        #expect(earns.count == purchasesPerCustomer, "customer \(index): \(earns.count) earns")
        #expect(Set(earns.map(\.reason)) == expected)
      }
    }
    try await suite.withClient(.interaction) { client in
      var shape: [String: Int]?
      for customer in customerIDs {
        let tasks = try await SuiteFlowTests.tasks(of: customer, client)
        let moments = Dictionary(grouping: tasks, by: \.momentKind).mapValues { Set($0.map(\.momentID)).count }
        #expect(moments["registration"] == 1)
        #expect(moments["first_purchase"] == 1)
        // No task twice: one per (moment, step type).
        #expect(Set(tasks.map { "\($0.momentID)/\($0.type)" }).count == tasks.count)
        let counts = Dictionary(grouping: tasks, by: \.momentKind).mapValues(\.count)
        if let shape { #expect(counts == shape) } else { shape = counts }
      }
    }
  }
}
