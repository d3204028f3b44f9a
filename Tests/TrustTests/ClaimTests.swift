import Contracts
import Foundation
import GRDB
import GRPCCore
import ServiceKit
import Testing
import Trust

@Suite("Trust: guarantees and claims")
struct ClaimTests {
  /// Purchase records with order o-1 of c1 (199.00 CNY) bought at the harness clock's start.
  static func purchases(at date: Date = ManualClock().now()) -> FakePurchaseRecords {
    let purchases = FakePurchaseRecords()
    for (order, customer) in [("o-1", "c1"), ("o-2", "c1"), ("o-b", "acme")] {
      purchases.record(.with {
        $0.orderID = order
        $0.customerID = customer
        $0.amount = .with { $0.amountMinor = 19_900; $0.currency = "CNY" }
        $0.purchaseTime = .init(date: date)
      })
    }
    purchases.markBusiness("acme")
    return purchases
  }

  static func file(
    _ harness: TrustHarness, guarantee: String = "seven-day-return", order: String = "o-1", customer: String = "c1",
    key: String = UUID().uuidString
  ) async throws -> Crm_Trust_V1_Claim {
    try await harness.client.fileClaim(.with {
      $0.customerID = customer
      $0.guaranteeID = guarantee
      $0.orderID = order
      $0.reason = "Changed my mind."
      $0.idempotencyKey.key = key
    }).claim
  }

  @Test("the four default guarantees, each with window, payout and after-sales steps")
  func defaultGuarantees() async throws {
    try await TrustHarness.run { harness in
      let guarantees = try await harness.client.listGuarantees(.init()).guarantees
      #expect(guarantees.map(\.guaranteeID) == [
        "seven-day-return", "one-fake-ten-paid", "refund-if-not-satisfied", "b2b-small-batch-trial",
      ])
      #expect(guarantees[0].windowDays == 7 && guarantees[0].payoutMultiplier == 1)
      #expect(guarantees[1].payoutMultiplier == 10)
      #expect(guarantees[3].businessOnly && !guarantees[3].refundsOrder)
      #expect(guarantees.allSatisfy { $0.responseHours > 0 && !$0.settlement.isEmpty })
    }
  }

  @Test("within the window a claim is filed with its payout and response clock; outside it is FAILED_PRECONDITION")
  func window() async throws {
    try await TrustHarness.run(purchases: Self.purchases()) { harness in
      harness.clock.advance(by: 7 * 86_400)
      let claim = try await Self.file(harness)
      #expect(claim.status == .filed)
      #expect(claim.orderAmount.amountMinor == 19_900 && claim.payout.amountMinor == 19_900)
      #expect(claim.responseClock == .running)
      #expect(claim.responseDueTime.date == harness.clock.now().addingTimeInterval(24 * 3600))

      let tenfold = try await Self.file(harness, guarantee: "one-fake-ten-paid")
      #expect(tenfold.payout.amountMinor == 199_000)

      harness.clock.advance(by: 1)
      let late = await #expect(throws: RPCError.self) { try await Self.file(harness, order: "o-2") }
      #expect(late?.code == .failedPrecondition)
    }
  }

  @Test("the order must be the customer's and known; business-only guarantees need a business; one claim per order")
  func checks() async throws {
    try await TrustHarness.run(purchases: Self.purchases()) { harness in
      let other = await #expect(throws: RPCError.self) { try await Self.file(harness, customer: "c2") }
      #expect(other?.code == .failedPrecondition)
      let unknown = await #expect(throws: RPCError.self) { try await Self.file(harness, order: "o-404") }
      #expect(unknown?.code == .notFound)
      let noGuarantee = await #expect(throws: RPCError.self) { try await Self.file(harness, guarantee: "lifetime") }
      #expect(noGuarantee?.code == .notFound)
      let trial = await #expect(throws: RPCError.self) { try await Self.file(harness, guarantee: "b2b-small-batch-trial") }
      #expect(trial?.code == .failedPrecondition)
      _ = try await Self.file(harness, guarantee: "b2b-small-batch-trial", order: "o-b", customer: "acme")

      _ = try await Self.file(harness, key: "k1")
      let again = try await Self.file(harness, key: "k1")
      #expect(again.status == .filed)
      let second = await #expect(throws: RPCError.self) { try await Self.file(harness, key: "k2") }
      #expect(second?.code == .alreadyExists)
      let noKey = await #expect(throws: RPCError.self) { try await Self.file(harness, key: "") }
      #expect(noKey?.message.hasPrefix("idempotency_key.key:") == true)
    }
  }

  @Test("segmentation down: filing is UNAVAILABLE and writes nothing")
  func segmentationDown() async throws {
    let purchases = Self.purchases()
    purchases.setDown(true)
    try await TrustHarness.run(purchases: purchases) { harness in
      let error = await #expect(throws: RPCError.self) { try await Self.file(harness) }
      #expect(error?.code == .unavailable)
      let claims = try await harness.database.read { try ClaimRecordCount.count($0) }
      #expect(claims == 0)
    }
  }

  @Test("filed -> under review -> approved -> settled; other moves are FAILED_PRECONDITION; the clock is met or breached")
  func lifecycle() async throws {
    try await TrustHarness.run(purchases: Self.purchases()) { harness in
      let claim = try await Self.file(harness)
      func advance(_ id: String, _ status: Crm_Trust_V1_ClaimStatus, note: String = "", amount: Int64? = nil) async throws
        -> Crm_Trust_V1_Claim
      {
        try await harness.client.advanceClaim(.with {
          $0.claimID = id
          $0.status = status
          $0.note = note
          if let amount { $0.settledAmount = .with { $0.amountMinor = amount; $0.currency = "CNY" } }
        }).claim
      }
      let skip = await #expect(throws: RPCError.self) { try await advance(claim.claimID, .approved) }
      #expect(skip?.code == .failedPrecondition)

      harness.clock.advance(by: 3600)
      let reviewing = try await advance(claim.claimID, .underReview)
      #expect(reviewing.responseClock == .met)
      let approved = try await advance(claim.claimID, .approved, note: "unused, returned")
      #expect(approved.status == .approved && approved.hasDecideTime)
      let noAmount = await #expect(throws: RPCError.self) { try await advance(claim.claimID, .settled) }
      #expect(noAmount?.message.hasPrefix("settled_amount:") == true)
      let settled = try await advance(claim.claimID, .settled, amount: 19_900)
      #expect(settled.status == .settled && settled.settledAmount.amountMinor == 19_900)
      let reopen = await #expect(throws: RPCError.self) { try await advance(claim.claimID, .underReview) }
      #expect(reopen?.code == .failedPrecondition)

      // A claim left unanswered past its response time shows as breached, and stays breached.
      let slow = try await Self.file(harness, guarantee: "refund-if-not-satisfied")
      harness.clock.advance(by: 48 * 3600 + 1)
      #expect(try await harness.client.getClaim(.with { $0.claimID = slow.claimID }).claim.responseClock == .breached)
      let late = try await advance(slow.claimID, .underReview)
      #expect(late.responseClock == .breached)
      let rejectWithoutNote = await #expect(throws: RPCError.self) { try await advance(slow.claimID, .rejected) }
      #expect(rejectWithoutNote?.message.hasPrefix("note:") == true)
      #expect(try await advance(slow.claimID, .rejected, note: "used for 3 weeks").status == .rejected)
    }
  }

  @Test("approving a refund claim tells loyalty, in the same transaction; a trial claim does not")
  func refundEvent() async throws {
    try await TrustHarness.run(purchases: Self.purchases()) { harness in
      for (guarantee, order, customer) in [("seven-day-return", "o-1", "c1"), ("b2b-small-batch-trial", "o-b", "acme")] {
        let claim = try await Self.file(harness, guarantee: guarantee, order: order, customer: customer)
        _ = try await harness.client.advanceClaim(.with { $0.claimID = claim.claimID; $0.status = .underReview })
        _ = try await harness.client.advanceClaim(.with { $0.claimID = claim.claimID; $0.status = .approved })
      }
      let events = try await TrustEventTests.outbox(harness.database, to: .loyalty)
      #expect(events.count == 1)
      #expect(events.first?.refundClaimApproved.orderID == "o-1")
      #expect(events.first?.refundClaimApproved.refundAmount.amountMinor == 19_900)
      #expect(events.first?.customerID == "c1")
    }
  }
}

enum ClaimRecordCount {
  static func count(_ db: Database) throws -> Int { try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM claim") ?? 0 }
}
