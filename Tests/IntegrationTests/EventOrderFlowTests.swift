import Contracts
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import ServiceKit
import ServiceKitTesting
import Testing

/// Events from different senders reach a receiver in any order: with the real executables
/// stopped and started in the order that used to lose an event, none is lost and none applied
/// twice.
@Suite("Flows: an event that arrives before what it depends on waits for it", .serialized, .timeLimit(.minutes(6)))
struct EventOrderFlowTests {
  typealias Client = GRPCClient<HTTP2ClientTransport.Posix>

  @Test("a refund claim's reversal delivered before its purchase waits in loyalty: points earned and taken back once, nothing rejected")
  func claimReversalBeforePurchase() async throws {
    let suite = try await SuiteProcesses.start()
    do {
      try await Self.claimBeforePurchase(suite)
    } catch {
      await suite.stopAll()
      throw error
    }
    await suite.stopAll()
  }

  static func claimBeforePurchase(_ suite: SuiteProcesses) async throws {
    let now = Date()
    // Given a member whose earlier order earned 100 points
    let customer = try await SuiteFlowTests.createCustomer(suite, "Qian Yu")
    try await SuiteFlowTests.recordPurchase(
      suite, customer, order: "order-flow-o0", amountMinor: 100_00, product: "p-mug", at: now)
    let before = try await suite.withClient(.loyalty) { client in
      try await eventually({ try await SuiteFlowTests.account(of: customer, client) }) { $0.balance == 100 }
    }
    try #require(before.balance == 100)

    // And, with loyalty down, an order recorded in segmentation (its purchase waits in
    // segmentation's outbox) and a 7-day-return claim on it approved in trust (its reversal
    // waits in trust's outbox)
    await suite.terminate(.loyalty)
    try await SuiteFlowTests.recordPurchase(
      suite, customer, order: "order-flow-o1", amountMinor: 250_00, product: "p-kettle",
      at: now.addingTimeInterval(-86_400))
    let claimID = try await suite.withClient(.trust) { client in
      let trust = Crm_Trust_V1_TrustService.Client(wrapping: client)
      let filed = try await trust.fileClaim(.with {
        $0.customerID = customer
        $0.guaranteeID = "seven-day-return"
        $0.orderID = "order-flow-o1"
        $0.reason = "changed my mind"
        $0.idempotencyKey.key = "order-flow-claim"
      }).claim
      for (step, status) in [Crm_Trust_V1_ClaimStatus.underReview, .approved].enumerated() {
        _ = try await trust.advanceClaim(.with {
          $0.claimID = filed.claimID
          $0.status = status
          $0.idempotencyKey.key = "order-flow-claim-step-\(step)"
        })
      }
      return filed.claimID
    }

    // When loyalty comes back while segmentation is down, so trust delivers first
    await suite.terminate(.segmentation)
    try await suite.start(.loyalty)
    let trustToLoyalty = try await suite.withClient(.trust) { client in
      try await eventually({ try await outbox(to: .loyalty, in: client) }) {
        ($0?.pending ?? 1) == 0 && ($0?.delivered ?? 0) >= 1
      }
    }
    // Then the reversal is taken (not rejected) and waits: nothing moved yet
    #expect(trustToLoyalty?.pending == 0)
    #expect(trustToLoyalty?.rejected == 0, "trust -> loyalty: \(trustToLoyalty?.lastError ?? "")")
    let waiting = try await suite.withClient(.loyalty) { client in
      try await SuiteFlowTests.account(of: customer, client)
    }
    #expect(waiting.balance == 100)

    // When segmentation comes back and delivers the purchase
    try await suite.start(.segmentation)
    let reversal = "refund claim-\(claimID) of order order-flow-o1"
    let entries = try await suite.withClient(.loyalty) { client in
      try await eventually({ try await ledger(of: customer, in: client) }) { entries in
        entries.contains { $0.reason == "order order-flow-o1" } && entries.contains { $0.reason == reversal }
      }
    }

    // Then the order earned its points and the claim took them back, each exactly once, and
    // the balance is what it was
    #expect(entries.filter { $0.reason == "order order-flow-o1" }.map(\.points) == [250])
    #expect(entries.filter { $0.reason == reversal }.map(\.points) == [-250])
    let after = try await suite.withClient(.loyalty) { client in
      try await SuiteFlowTests.account(of: customer, client)
    }
    #expect(after.balance == before.balance)
    #expect(after.pointsDebt == 0)

    // And no outbox rejected anything, and segmentation's delivered everything to loyalty
    let segmentationToLoyalty = try await suite.withClient(.segmentation) { client in
      try await eventually({ try await outbox(to: .loyalty, in: client) }) { ($0?.pending ?? 1) == 0 }
    }
    #expect(segmentationToLoyalty?.pending == 0)
    for service in SuiteService.allCases {
      let destinations = try await suite.withClient(service) { client in
        try await Crm_Events_V1_Outbox.Client(wrapping: client).getOutboxStatus(.init()).destinations
      }
      for destination in destinations {
        #expect(destination.rejected == 0, "\(service) -> \(destination.destination): \(destination.lastError)")
      }
    }
  }
}
