import Contracts
import GRPCCore
import Testing

@Suite("Loyalty: ReversePoints on refunds through the gRPC client")
struct ReversePointsTests {
  typealias H = LoyaltyHarness

  @Test("a full refund takes back every point the order earned")
  func fullRefund() async throws {
    try await LoyaltyHarness.run { loyalty in
      try await loyalty.earn("alice", 200, order: "o-1")
      try await loyalty.earn("alice", 5)
      let reversed = try await loyalty.client.reversePoints(
        H.reverseRequest("alice", order: "o-1", refund: "rf-1", refunded: 10_000, of: 10_000))
      #expect(reversed.pointsReversed == 200)
      #expect(reversed.pointsDebtAdded == 0)
      #expect(reversed.entry.kind == "reverse")
      #expect(reversed.entry.points == -200)
      #expect(reversed.account.balance == 5)
      try await loyalty.expectInvariant("alice")
    }
  }

  @Test("partial refunds take back their share, and add up to exactly what the order earned")
  func partialRefunds() async throws {
    try await LoyaltyHarness.run { loyalty in
      try await loyalty.earn("alice", 101, order: "o-1")
      var taken: [Int64] = []
      for part in 1...3 {
        let response = try await loyalty.client.reversePoints(
          H.reverseRequest("alice", order: "o-1", refund: "rf-\(part)", refunded: 100, of: 300))
        taken.append(response.pointsReversed)
      }
      #expect(taken == [33, 34, 34])
      #expect(try await loyalty.account("alice").balance == 0)
      let beyond = await rpcError {
        _ = try await loyalty.client.reversePoints(
          H.reverseRequest("alice", order: "o-1", refund: "rf-4", refunded: 1, of: 300))
      }
      #expect(beyond?.code == .failedPrecondition)
      try await loyalty.expectInvariant("alice")
    }
  }

  @Test("each refund id is reversed once: the same key replays, another key is ALREADY_EXISTS")
  func oncePerRefund() async throws {
    try await LoyaltyHarness.run { loyalty in
      try await loyalty.earn("alice", 100, order: "o-1")
      let request = H.reverseRequest(
        "alice", order: "o-1", refund: "rf-1", refunded: 50, of: 100, key: "k-1")
      let first = try await loyalty.client.reversePoints(request)
      #expect(try await loyalty.client.reversePoints(request) == first)

      let otherKey = H.reverseRequest(
        "alice", order: "o-1", refund: "rf-1", refunded: 50, of: 100, key: "k-2")
      let error = await rpcError { _ = try await loyalty.client.reversePoints(otherKey) }
      #expect(error?.code == .alreadyExists)
      var otherBody = request
      otherBody.refundAmount.amountMinor = 60
      let reused = await rpcError { _ = try await loyalty.client.reversePoints(otherBody) }
      #expect(reused?.code == .alreadyExists)
      #expect(try await loyalty.account("alice").balance == 50)
      try await loyalty.expectInvariant("alice")
    }
  }

  @Test("points already spent become a debt that the next earnings pay first")
  func spentPointsBecomeDebt() async throws {
    try await LoyaltyHarness.run { loyalty in
      // Given 100 points from an order, 80 of them spent
      try await loyalty.earn("alice", 100, order: "o-1")
      try await loyalty.redeem("alice", 80)

      // When the order is refunded in full
      let reversed = try await loyalty.client.reversePoints(
        H.reverseRequest("alice", order: "o-1", refund: "rf-1", refunded: 999, of: 999))

      // Then the 20 left are taken and 80 are owed
      #expect(reversed.pointsReversed == 20)
      #expect(reversed.pointsDebtAdded == 80)
      #expect(reversed.account.balance == 0)
      #expect(reversed.account.pointsDebt == 80)
      try await loyalty.expectInvariant("alice")

      // And the next earnings pay the debt before the customer gets any points
      let partly = try await loyalty.earn("alice", 50)
      #expect(partly.account.balance == 0)
      #expect(partly.account.pointsDebt == 30)
      #expect(partly.account.lifetimePoints == 150)
      try await loyalty.expectInvariant("alice")
      let paid = try await loyalty.earn("alice", 50)
      #expect(paid.account.balance == 20)
      #expect(paid.account.pointsDebt == 0)
      try await loyalty.expectInvariant("alice")
      let kinds = try await loyalty.allEntries("alice").map(\.kind)
      #expect(kinds.filter { $0 == "reverse" }.count == 3)
    }
  }

  @Test("points that already expired are not taken again nor owed")
  func expiredPointsAreNotOwed() async throws {
    try await LoyaltyHarness.run { loyalty in
      try await loyalty.earn("alice", 100, order: "o-1")
      loyalty.clock.set(utc(2027, 1, 2))
      let reversed = try await loyalty.client.reversePoints(
        H.reverseRequest("alice", order: "o-1", refund: "rf-1", refunded: 10, of: 10))
      #expect(reversed.pointsReversed == 0)
      #expect(reversed.pointsDebtAdded == 0)
      #expect(reversed.pointsAlreadyExpired == 100)
      #expect(!reversed.hasEntry)
      #expect(reversed.account.balance == 0)
      try await loyalty.expectInvariant("alice")
    }
  }

  @Test(
    "bad input is INVALID_ARGUMENT naming the field",
    arguments: [
      "customer_id", "order_id", "refund_id", "idempotency_key.key", "refund_amount.amount_minor",
      "order_amount.amount_minor", "refund_amount.currency", "order_amount.currency",
    ])
  func badInput(field: String) async throws {
    try await LoyaltyHarness.run { loyalty in
      try await loyalty.earn("alice", 100, order: "o-1")
      var request = H.reverseRequest("alice", order: "o-1", refund: "rf-1", refunded: 50, of: 100)
      switch field {
      case "customer_id": request.customerID = ""
      case "order_id": request.orderID = ""
      case "refund_id": request.refundID = ""
      case "idempotency_key.key": request.idempotencyKey.key = ""
      case "refund_amount.amount_minor": request.refundAmount.amountMinor = 101
      case "order_amount.amount_minor": request.orderAmount.amountMinor = 0
      case "refund_amount.currency": request.refundAmount.currency = "USD"
      default: request.orderAmount.currency = "cny"
      }
      let error = await rpcError { _ = try await loyalty.client.reversePoints(request) }
      #expect(error?.code == .invalidArgument)
      #expect(error?.message.hasPrefix("\(field):") == true, "\(error?.message ?? "")")
      #expect(try await loyalty.account("alice").balance == 100)
    }
  }

  @Test("an unknown account or an order that earned nothing is NOT_FOUND")
  func notFound() async throws {
    try await LoyaltyHarness.run { loyalty in
      let account = await rpcError {
        _ = try await loyalty.client.reversePoints(
          H.reverseRequest("nobody", order: "o-1", refund: "rf-1", refunded: 1, of: 1))
      }
      #expect(account?.code == .notFound)
      try await loyalty.earn("alice", 100, order: "o-1")
      let order = await rpcError {
        _ = try await loyalty.client.reversePoints(
          H.reverseRequest("alice", order: "o-2", refund: "rf-2", refunded: 1, of: 1))
      }
      #expect(order?.code == .notFound)
    }
  }

  @Test("a refund stating another order amount than an earlier one is FAILED_PRECONDITION")
  func orderAmountMismatch() async throws {
    try await LoyaltyHarness.run { loyalty in
      try await loyalty.earn("alice", 100, order: "o-1")
      _ = try await loyalty.client.reversePoints(
        H.reverseRequest("alice", order: "o-1", refund: "rf-1", refunded: 10, of: 100))
      let error = await rpcError {
        _ = try await loyalty.client.reversePoints(
          H.reverseRequest("alice", order: "o-1", refund: "rf-2", refunded: 10, of: 200))
      }
      #expect(error?.code == .failedPrecondition)
      #expect(try await loyalty.account("alice").balance == 90)
    }
  }
}
