import Contracts
import GRPCCore
import Testing

@Suite("Loyalty: EarnPoints and GetAccount through the gRPC client")
struct EarnPointsTests {
  @Test("an earn opens the account; GetAccount returns what the earn returned")
  func roundTrip() async throws {
    try await LoyaltyHarness.run { loyalty in
      // When
      let earned = try await loyalty.earn("alice", 120, order: "o-1")

      // Then
      #expect(!earned.entry.entryID.isEmpty)
      #expect(earned.entry.kind == "earn")
      #expect(earned.entry.points == 120)
      #expect(earned.entry.reason == "order o-1")
      #expect(earned.entry.createTime.date == loyalty.clock.now())
      #expect(earned.account.balance == 120)
      #expect(earned.account.lifetimePoints == 120)
      #expect(earned.account.pointsDebt == 0)
      #expect(try await loyalty.account("alice") == earned.account)
      try await loyalty.expectInvariant("alice")
    }
  }

  @Test("the same key and body replays the first result and credits once")
  func idempotentReplay() async throws {
    try await LoyaltyHarness.run { loyalty in
      let first = try await loyalty.earn("alice", 120, order: "o-1", key: "earn-1")
      loyalty.clock.advance(by: 60)
      let again = try await loyalty.earn("alice", 120, order: "o-1", key: "earn-1")
      #expect(again == first)
      #expect(try await loyalty.account("alice").balance == 120)
      #expect(try await loyalty.allEntries("alice").count == 1)
    }
  }

  @Test("the same key with another body is ALREADY_EXISTS and writes nothing")
  func sameKeyOtherBody() async throws {
    try await LoyaltyHarness.run { loyalty in
      let first = try await loyalty.earn("alice", 120, key: "earn-1")
      let error = await rpcError { try await loyalty.earn("alice", 999, key: "earn-1") }
      #expect(error?.code == .alreadyExists)
      let other = await rpcError { try await loyalty.earn("bob", 120, key: "earn-1") }
      #expect(other?.code == .alreadyExists)
      #expect(try await loyalty.account("alice") == first.account)
      #expect(try await loyalty.allEntries("alice").count == 1)
      let bob = await rpcError { _ = try await loyalty.account("bob") }
      #expect(bob?.code == .notFound)
    }
  }

  @Test(
    "bad input is INVALID_ARGUMENT naming the field, and writes nothing",
    arguments: [
      ("points", Int64(0)), ("points", -5), ("idempotency_key.key", 10), ("customer_id", 10),
      ("order_id", 10),
    ])
  func badInput(field: String, points: Int64) async throws {
    try await LoyaltyHarness.run { loyalty in
      var request = Crm_Loyalty_V1_EarnPointsRequest.with {
        $0.customerID = "alice"
        $0.points = points
        $0.idempotencyKey.key = "earn-1"
      }
      switch field {
      case "idempotency_key.key": request.idempotencyKey.key = ""
      case "customer_id": request.customerID = ""
      case "order_id": request.orderID = String(repeating: "x", count: 129)
      default: break
      }
      let error = await rpcError { _ = try await loyalty.client.earnPoints(request) }
      #expect(error?.code == .invalidArgument)
      #expect(error?.message.hasPrefix("\(field):") == true, "\(error?.message ?? "")")
      let missing = await rpcError { _ = try await loyalty.account("alice") }
      #expect(missing?.code == .notFound)
    }
  }

  @Test("GetAccount: an unknown customer is NOT_FOUND; an empty id INVALID_ARGUMENT")
  func unknownAccount() async throws {
    try await LoyaltyHarness.run { loyalty in
      let missing = await rpcError { _ = try await loyalty.account("nobody") }
      #expect(missing?.code == .notFound)
      let empty = await rpcError { _ = try await loyalty.account("") }
      #expect(empty?.code == .invalidArgument)
      #expect(empty?.message.hasPrefix("customer_id:") == true)
    }
  }
}
