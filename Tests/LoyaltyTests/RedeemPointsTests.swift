import Contracts
import Foundation
import GRDB
import GRPCCore
import Loyalty
import ServiceKit
import Testing

@Suite("Loyalty: RedeemPoints through the gRPC client")
struct RedeemPointsTests {
  @Test("a redeem debits the balance with one redeem entry")
  func redeem() async throws {
    try await LoyaltyHarness.run { loyalty in
      try await loyalty.earn("alice", 100)
      let redeemed = try await loyalty.redeem("alice", 30, key: "r-1")
      #expect(redeemed.entry.kind == "redeem")
      #expect(redeemed.entry.points == -30)
      #expect(redeemed.account.balance == 70)
      #expect(redeemed.account.lifetimePoints == 100)
      #expect(try await loyalty.redeem("alice", 30, key: "r-1") == redeemed)
      #expect(try await loyalty.account("alice").balance == 70)
      try await loyalty.expectInvariant("alice")
    }
  }

  @Test("points that expire first are spent first, whatever order they were earned in")
  func fifoByExpiry() async throws {
    let database = try StoreOpener.inMemory(migrator: LoyaltyStore.migrator)
    let clock = ManualClock()
    // Given a lot valid 12 months, then a later one valid only 1 month
    try await LoyaltyHarness.run(database: database, clock: clock) {
      try await $0.earn("alice", 100)
    }
    clock.advance(by: 86_400)
    try await LoyaltyHarness.run(policy: .init(validityMonths: 1), database: database, clock: clock)
    { loyalty in
      try await loyalty.earn("alice", 50)

      // When
      try await loyalty.redeem("alice", 60)

      // Then the short lot is gone and the long one lost 10
      let expiring = try await loyalty.client.listExpiringPoints(
        .with {
          $0.customerID = "alice"
          $0.within = days(400)
        })
      #expect(expiring.lots.map(\.points) == [90])
      #expect(expiring.lots.first?.expireTime.date == utc(2027, 1, 1))
      try await loyalty.expectInvariant("alice")
    }
  }

  @Test("more than the balance is FAILED_PRECONDITION, writes nothing, and replays for the key")
  func insufficientPoints() async throws {
    try await LoyaltyHarness.run { loyalty in
      try await loyalty.earn("alice", 50)
      let error = await rpcError { try await loyalty.redeem("alice", 51, key: "r-1") }
      #expect(error?.code == .failedPrecondition)
      #expect(try await loyalty.account("alice").balance == 50)
      #expect(try await loyalty.allEntries("alice").count == 1)

      // The failure depended on state: the same key keeps failing though points now suffice
      try await loyalty.earn("alice", 50)
      let replayed = await rpcError { try await loyalty.redeem("alice", 51, key: "r-1") }
      #expect(replayed?.code == .failedPrecondition)
      #expect(try await loyalty.redeem("alice", 51, key: "r-2").account.balance == 49)
      try await loyalty.expectInvariant("alice")
    }
  }

  @Test("the same key with another body is ALREADY_EXISTS and writes nothing")
  func sameKeyOtherBody() async throws {
    try await LoyaltyHarness.run { loyalty in
      try await loyalty.earn("alice", 100)
      try await loyalty.redeem("alice", 10, key: "r-1")
      let error = await rpcError { try await loyalty.redeem("alice", 20, key: "r-1") }
      #expect(error?.code == .alreadyExists)
      #expect(try await loyalty.account("alice").balance == 90)
    }
  }

  @Test(
    "bad input is INVALID_ARGUMENT naming the field",
    arguments: ["points", "idempotency_key.key", "customer_id"])
  func badInput(field: String) async throws {
    try await LoyaltyHarness.run { loyalty in
      try await loyalty.earn("alice", 100)
      var request = LoyaltyHarness.redeemRequest("alice", 10, key: "r-1")
      switch field {
      case "points": request.points = 0
      case "idempotency_key.key": request.idempotencyKey.key = ""
      default: request.customerID = ""
      }
      let error = await rpcError { _ = try await loyalty.client.redeemPoints(request) }
      #expect(error?.code == .invalidArgument)
      #expect(error?.message.hasPrefix("\(field):") == true, "\(error?.message ?? "")")
      #expect(try await loyalty.account("alice").balance == 100)
    }
  }

  @Test("an unknown account is NOT_FOUND")
  func unknownAccount() async throws {
    try await LoyaltyHarness.run { loyalty in
      let error = await rpcError { try await loyalty.redeem("nobody", 1) }
      #expect(error?.code == .notFound)
    }
  }

  @Test("concurrent redeems on one account never spend more than the balance (file-backed pool)")
  func concurrentRedeems() async throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
      "loyalty-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: directory) }
    let pool = try StoreOpener.openPool(
      path: directory.appendingPathComponent("loyalty.sqlite").path, migrator: LoyaltyStore.migrator
    )
    try await LoyaltyHarness.run(database: pool) { loyalty in
      // Given 1000 points
      try await loyalty.earn("alice", 1000)

      // When 60 redeems of 37 race
      let outcomes = try await withThrowingTaskGroup(of: RPCError.Code?.self) { group in
        for index in 0..<60 {
          group.addTask {
            do {
              try await loyalty.redeem("alice", 37, key: "race-\(index)")
              return nil
            } catch let error as RPCError {
              return error.code
            }
          }
        }
        return try await group.reduce(into: [RPCError.Code?]()) { $0.append($1) }
      }

      // Then exactly as many succeed as the balance covers, and the rest are refused
      let succeeded = outcomes.filter { $0 == nil }.count
      #expect(succeeded == 1000 / 37)
      #expect(outcomes.allSatisfy { $0 == nil || $0 == .failedPrecondition })
      #expect(try await loyalty.account("alice").balance == 1000 - Int64(succeeded) * 37)
      try await loyalty.expectInvariant("alice")
    }
  }
}
