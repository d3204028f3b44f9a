import Contracts
import Dispatch
import Foundation
import GRDB
import GRPCCore
import Loyalty
import ServiceKit
import Synchronization
import Testing

@Suite("Loyalty: concurrent points writes share transactions (group commit)")
struct GroupCommitTests {
  @Test("200 concurrent earns with distinct and repeated keys credit each key exactly once")
  func concurrentEarns() async throws {
    try await LoyaltyHarness.run { loyalty in
      // Given 150 distinct earns over 10 customers, 40 replays of them and 10 conflicts
      let distinct = (0..<150).map { i in (customer: "c\(i % 10)", points: Int64(i + 1), key: "k\(i)") }
      let calls = distinct + distinct.prefix(40)

      // When all run at once
      let results = try await withThrowingTaskGroup(
        of: (String, Crm_Loyalty_V1_EarnPointsResponse).self
      ) { group in
        for call in calls {
          group.addTask {
            (call.key, try await loyalty.earn(call.customer, call.points, key: call.key))
          }
        }
        return try await group.reduce(into: [(String, Crm_Loyalty_V1_EarnPointsResponse)]()) {
          $0.append($1)
        }
      }

      // Then every replay returned the first result, and each key credited once
      #expect(results.count == 190)
      let byKey = Dictionary(grouping: results, by: \.0)
      for (key, responses) in byKey {
        #expect(Set(responses.map(\.1.entry.entryID)).count == 1, "key \(key)")
      }
      for customer in 0..<10 {
        let expected = distinct.filter { $0.customer == "c\(customer)" }.reduce(0) { $0 + $1.points }
        #expect(try await loyalty.account("c\(customer)").balance == expected)
        #expect(try await loyalty.allEntries("c\(customer)").count == 15)
        try await loyalty.expectInvariant("c\(customer)")
      }
      let statistics = try #require(loyalty.service.pointsWriter?.statistics)
      #expect(statistics.operations == 190)
      #expect(statistics.batches <= statistics.operations)
    }
  }

  @Test("one key sent concurrently with two bodies: one earns, the other is ALREADY_EXISTS")
  func concurrentConflicts() async throws {
    try await LoyaltyHarness.run { loyalty in
      let outcomes = await withTaskGroup(of: (Int64, RPCError.Code?).self) { group in
        for key in 0..<10 {
          for points in [Int64(1), 2] {
            group.addTask {
              do {
                _ = try await loyalty.earn("alice", points * 100 + Int64(key), key: "dup-\(key)")
                return (points * 100 + Int64(key), nil)
              } catch let error as RPCError {
                return (0, error.code)
              } catch {
                return (0, .unknown)
              }
            }
          }
        }
        return await group.reduce(into: [(Int64, RPCError.Code?)]()) { $0.append($1) }
      }
      #expect(outcomes.filter { $0.1 == nil }.count == 10)
      #expect(outcomes.filter { $0.1 == .alreadyExists }.count == 10)
      let credited = outcomes.reduce(0) { $0 + $1.0 }
      #expect(try await loyalty.account("alice").balance == credited)
      #expect(try await loyalty.allEntries("alice").count == 10)
      try await loyalty.expectInvariant("alice")
    }
  }

  @Test("concurrent redeems on one account never overdraw it")
  func concurrentRedeems() async throws {
    try await LoyaltyHarness.run { loyalty in
      try await loyalty.earn("alice", 1000)
      let codes = await withTaskGroup(of: RPCError.Code?.self) { group in
        for i in 0..<60 {
          group.addTask {
            do {
              try await loyalty.redeem("alice", 30, key: "r-\(i)")
              return nil
            } catch let error as RPCError {
              return error.code
            } catch {
              return .unknown
            }
          }
        }
        return await group.reduce(into: [RPCError.Code?]()) { $0.append($1) }
      }
      #expect(codes.filter { $0 == nil }.count == 33)
      #expect(codes.filter { $0 == .failedPrecondition }.count == 27)
      #expect(try await loyalty.account("alice").balance == 10)
      try await loyalty.expectInvariant("alice")
    }
  }

  @Test("failing operations in a batch roll back only themselves; the others commit")
  func failuresInOneBatch() async throws {
    try await LoyaltyHarness.run { loyalty in
      // Given
      try await loyalty.earn("alice", 100, order: "o-1", key: "earn-alice")
      let writer = try #require(loyalty.service.pointsWriter)

      // When the store's writer is held, so that the next operations queue up together
      let gate = DispatchSemaphore(value: 0)
      let holding = Mutex(false)
      let hold = Task {
        try await loyalty.database.write { _ in
          holding.withLock { $0 = true }
          gate.wait()
        }
      }
      while !holding.withLock({ $0 }) { await Task.yield() }

      let first = Task { try await loyalty.earn("bob", 1, key: "bob-first") }
      while writer.inFlightCount < 1 { await Task.yield() }
      async let bobEarns: [Int64] = withThrowingTaskGroup(of: Int64.self) { group in
        for i in 0..<5 {
          group.addTask { try await loyalty.earn("bob", 10, key: "bob-\(i)").entry.points }
        }
        return try await group.reduce(into: []) { $0.append($1) }
      }
      async let overdraw = rpcError { try await loyalty.redeem("alice", 500, key: "too-much") }
      async let nobody = rpcError { try await loyalty.redeem("nobody", 5, key: "nobody") }
      async let reusedKey = rpcError {
        try await loyalty.earn("alice", 999, order: "o-1", key: "earn-alice")
      }
      async let unknownOrder = rpcError {
        _ = try await loyalty.client.reversePoints(
          LoyaltyHarness.reverseRequest("alice", order: "o-x", refund: "rf-1", refunded: 1, of: 2))
      }
      async let spend = loyalty.redeem("alice", 40, key: "spend")
      while writer.pendingCount < 10 { await Task.yield() }
      gate.signal()
      try await hold.value
      _ = try await first.value

      // Then each caller got its own outcome, and the failures wrote nothing
      #expect(try await bobEarns == [10, 10, 10, 10, 10])
      #expect(await overdraw?.code == .failedPrecondition)
      #expect(await nobody?.code == .notFound)
      #expect(await reusedKey?.code == .alreadyExists)
      #expect(await unknownOrder?.code == .notFound)
      #expect(try await spend.account.balance == 60)
      #expect(writer.statistics.largestBatch == 10)
      #expect(try await loyalty.account("bob").balance == 51)
      #expect(try await loyalty.account("alice").balance == 60)
      #expect(await rpcError { _ = try await loyalty.account("nobody") }?.code == .notFound)
      try await loyalty.expectInvariant("alice")
      try await loyalty.expectInvariant("bob")
    }
  }

  @Test("a store error inside one operation rolls back only that operation")
  func storeErrorInOneOperation() async throws {
    // Given a writer over a store with one table
    let database = try DatabaseQueue()
    try await database.write { db in
      try db.execute(sql: "CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT NOT NULL)")
    }
    let writer = GroupCommitWriter(database: database)
    let gate = DispatchSemaphore(value: 0)
    let holding = Mutex(false)
    let hold = Task {
      try await database.write { _ in
        holding.withLock { $0 = true }
        gate.wait()
      }
    }
    while !holding.withLock({ $0 }) { await Task.yield() }
    let first = Task { try await writer.write { try $0.execute(sql: "INSERT INTO item VALUES (1, 'a')") } }
    while writer.inFlightCount < 1 { await Task.yield() }

    // When one operation breaks a constraint after writing, and another throws after writing,
    // queued in this order (each waits for the one before it to be queued: the batch runs them
    // in queue order, and the duplicate must come after the row it duplicates)
    func queued(_ count: Int, _ body: @escaping @Sendable (Database) throws -> Void) async -> Task<Void, any Error> {
      let task = Task { try await writer.write(body) }
      while writer.pendingCount < count { await Task.yield() }
      return task
    }
    let second = await queued(1) { try $0.execute(sql: "INSERT INTO item VALUES (2, 'b')") }
    let broken = await queued(2) { db in
      try db.execute(sql: "INSERT INTO item VALUES (3, 'c')")
      try db.execute(sql: "INSERT INTO item VALUES (2, 'duplicate')")
    }
    let refused = await queued(3) { db in
      try db.execute(sql: "INSERT INTO item VALUES (4, 'd')")
      throw ServiceError.failedPrecondition("refused")
    }
    let third = await queued(4) { try $0.execute(sql: "INSERT INTO item VALUES (5, 'e')") }
    gate.signal()
    try await hold.value
    try await first.value

    // Then
    try await second.value
    let brokenOutcome = await broken.result
    let refusedOutcome = await refused.result
    #expect(throws: DatabaseError.self) { try brokenOutcome.get() }
    #expect(throws: ServiceError.self) { try refusedOutcome.get() }
    try await third.value
    let ids = try await database.read { try Int64.fetchAll($0, sql: "SELECT id FROM item ORDER BY id") }
    #expect(ids == [1, 2, 5])
    #expect(writer.statistics.largestBatch == 4)
    #expect(writer.statistics.operations == 5)
  }
}
