import Foundation
import GRDB
import Loyalty
import ServiceKit
import Testing

@Suite("Loyalty: store migrations")
struct StoreMigrationTests {
  @Test("balances earned before lots existed become one lot each, usable and expiring")
  func balancesBecomeLots() async throws {
    // Given a store at points-ledger-v1 with an account of 80 points
    let database = try DatabaseQueue()
    try LoyaltyStore.migrator.migrate(database, upTo: "points-ledger-v1")
    let earnedAt = utc(2026, 1, 1)
    try await database.write { db in
      try db.execute(
        sql: """
          INSERT INTO loyalty_account (customer_id, balance, lifetime_points, created_at, updated_at)
          VALUES ('alice', 80, 80, ?, ?);
          INSERT INTO ledger_entry (id, customer_id, kind, points, reason, created_at)
          VALUES ('e-1', 'alice', 'earn', 80, 'order o-1', ?);
          """, arguments: [earnedAt, earnedAt, earnedAt])
    }

    // When the later migrations run
    try LoyaltyStore.migrator.migrate(database)

    // Then the points can be redeemed, and expire 12 months after they were earned
    try await LoyaltyHarness.run(database: database) { loyalty in
      #expect(try await loyalty.account("alice").pointsDebt == 0)
      let soon = try await loyalty.client.listExpiringPoints(
        .with {
          $0.customerID = "alice"
          $0.within = days(400)
        })
      #expect(soon.lots.map(\.points) == [80])
      #expect(soon.lots.first?.expireTime.date == utc(2027, 1, 1))
      try await loyalty.redeem("alice", 30)
      try await loyalty.expectInvariant("alice")
      loyalty.clock.set(utc(2027, 1, 1))
      #expect(try await loyalty.client.runExpiry(.init()).pointsExpired == 50)
      try await loyalty.expectInvariant("alice")
    }
  }

  @Test("the ledger refuses updates and deletes, lots or not")
  func ledgerIsAppendOnly() async throws {
    try await LoyaltyHarness.run { loyalty in
      try await loyalty.earn("alice", 10)
      try await loyalty.database.write { db in
        #expect(throws: DatabaseError.self) {
          try db.execute(sql: "UPDATE ledger_entry SET points = 1000")
        }
        #expect(throws: DatabaseError.self) { try db.execute(sql: "DELETE FROM ledger_entry") }
      }
      try await loyalty.expectInvariant("alice")
    }
  }
}
