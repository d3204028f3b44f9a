import Contracts
import Foundation
import GRPCCore
import ServiceKit
import ServiceKitTesting
import Testing

/// The first flow across processes: a purchase recorded by segmentation earns points in
/// loyalty, through segmentation's outbox, exactly once, even across a kill -9 of loyalty.
@Suite("Flow: purchase -> points", .serialized, .timeLimit(.minutes(4)))
struct PurchaseToPointsFlowTests {
  @Test("every purchase earns its points once; loyalty killed with -9 mid-stream loses nothing and doubles nothing")
  func purchasesEarnPointsAcrossACrash() async throws {
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let loyaltyPort = try freeTCPPort()
    let loyaltyData = directory.appendingPathComponent("loyalty")
    var loyalty = try await ServiceProcess("loyalty-service", dataDirectory: loyaltyData, arguments: ["--port", "\(loyaltyPort)"])
    let segmentation = try await ServiceProcess(
      "segmentation-service", dataDirectory: directory.appendingPathComponent("segmentation"),
      arguments: ["--loyalty-addr", "127.0.0.1:\(loyaltyPort)"])

    let started = ContinuousClock.now
    let (customerID, expected) = try await segmentation.withClient { client in
      let service = Crm_Segmentation_V1_SegmentationService.Client(wrapping: client)
      let customer = try await service.createCustomer(
        .with {
          $0.customer.type = .individual
          $0.customer.displayName = "Buyer"
        }
      ).customer
      var expected: Int64 = 0
      for n in 0..<200 {
        if n == 100 { await loyalty.kill9() }
        let amount = Int64(1_000 + n * 37)  // minor units: 10.00 and up
        _ = try await service.recordPurchase(
          .with {
            $0.purchase.orderID = "o-\(n)"
            $0.purchase.purchaseTime = .init(date: Date())
            $0.purchase.channel = "web"
            $0.purchase.customerID = customer.customerID
            $0.purchase.amount = .with {
              $0.amountMinor = amount
              $0.currency = "CNY"
            }
            $0.purchase.items = [.with {
              $0.productID = "p-\(n % 5)"
              $0.category = "phones"
              $0.quantity = 1
              $0.amountMinor = amount
            }]
          })
        expected += amount / 100
      }
      return (customer.customerID, expected)
    }
    // Loyalty comes back on the same port and data; the outbox drains into it.
    loyalty = try await ServiceProcess("loyalty-service", dataDirectory: loyaltyData, arguments: ["--port", "\(loyaltyPort)"])

    // The relay may be in a backoff of up to 30 s after the outage: wait up to 2 minutes.
    let drained = try await segmentation.withClient { client in
      try await eventually(timeout: .seconds(120), { try await outbox(to: .loyalty, in: client) }) { ($0?.pending ?? 1) == 0 }
    }
    let elapsed = ContinuousClock.now - started
    #expect(drained?.pending == 0)
    #expect(drained?.delivered == 200)
    #expect(drained?.rejected == 0)
    print("purchase->points: 200 events delivered, drained \(elapsed) after the first purchase")

    // Exactly once: each order earned in one entry (the amount depends on the earning rules and
    // the tier the customer reached), and the balance is the sum of the ledger.
    let (account, entries) = try await loyalty.withClient { client in
      let account = try await Crm_Loyalty_V1_LoyaltyService.Client(wrapping: client)
        .getAccount(.with { $0.customerID = customerID }).account
      return (account, try await ledger(of: customerID, in: client))
    }
    let earns = entries.filter { $0.kind == "earn" }
    #expect(earns.count == 200)
    #expect(Set(earns.map(\.reason)) == Set((0..<200).map { "order o-\($0)" }))
    #expect(earns.allSatisfy { $0.points >= 1 })
    #expect(account.balance == entries.reduce(0) { $0 + $1.points })
    #expect(account.balance >= expected)  // at least one point per currency unit
    #expect(await segmentation.terminate() == 0)
    #expect(await loyalty.terminate() == 0)
  }
}
