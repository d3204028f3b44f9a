import Contracts
import Foundation
import GRDB
import GRPCCore
import ServiceKit
import ServiceKitTesting
import SwiftProtobuf
import Testing

@testable import Loyalty

@Suite("Loyalty: a bulk-filled store reads as the service's own")
struct BulkFillTests {
  static let asOf = utc(2026, 3, 1, 12)
  static let accounts = 400

  /// A small store filled the way `crm-bench loyalty fill` fills a large one.
  static func filledStore(entries: Int = 8_000, seed: UInt64 = 7) throws
    -> (DatabaseQueue, LoyaltyBulkFill.Summary)
  {
    let database = try StoreOpener.inMemory(migrator: LoyaltyStore.migrator)
    let summary = try LoyaltyBulkFill.fill(
      database,
      options: .init(
        accounts: accounts, entries: entries, asOf: asOf, seed: seed,
        customerID: { "bulk-\($0)" }, accountsPerTransaction: 150))
    return (database, summary)
  }

  @Test("every account: balance == sum of its entries == sum of its lots, nothing left due")
  func ledgerInvariant() async throws {
    // Given a filled store
    let (database, summary) = try Self.filledStore()
    #expect(summary.accounts == Self.accounts)
    #expect(abs(summary.entries - 8_000) < 1_600, "entries \(summary.entries)")
    #expect(summary.redeems > 0 && summary.reversals > 0 && summary.tierChanges > 0)
    #expect(summary.coupons > 0 && summary.referralCodes > 0)

    try await LoyaltyHarness.run(database: database, clock: ManualClock(start: Self.asOf)) {
      loyalty in
      // Then every account holds the ledger's invariants, read through the RPCs
      var entries = 0
      var lifetime: Int64 = 0
      var balances: Int64 = 0
      for n in 0..<Self.accounts {
        let customer = "bulk-\(n)"
        try await loyalty.expectInvariant(customer)
        let account = try await loyalty.account(customer)
        let ledger = try await loyalty.allEntries(customer)
        #expect(!ledger.isEmpty)
        #expect(
          account.lifetimePoints
            == ledger.filter { $0.kind == "earn" }.reduce(0) { $0 + $1.points })
        entries += ledger.count
        lifetime += account.lifetimePoints
        balances += account.balance
      }
      #expect(entries == summary.entries)

      // And the periodic jobs find nothing due at the fill's as-of time
      #expect(try await loyalty.client.runExpiry(.init()).lotsExpired == 0)
      #expect(try await loyalty.client.runTierReview(.init()).membersReviewed == 0)
      #expect(try await loyalty.client.releasePendingPoints(.init()).releases == 0)

      // And the figures add up to the same accounts and points
      let figures = try await loyalty.client.getLoyaltyFigures(
        .with {
          $0.fromTime = Google_Protobuf_Timestamp(date: Self.asOf.addingTimeInterval(-800 * 86_400))
          $0.toTime = Google_Protobuf_Timestamp(date: Self.asOf.addingTimeInterval(1))
        })
      #expect(figures.accounts == Int64(Self.accounts))
      #expect(figures.pointsIssued == lifetime)
      #expect(figures.outstandingPoints == balances)
      #expect(figures.upgrades + figures.downgrades == Int64(summary.tierChanges))
      #expect(figures.tierMix.reduce(0) { $0 + $1.members } == Int64(Self.accounts))
      #expect(figures.tierMix.contains { $0.tier == "gold" && $0.members > 0 })
    }

    // And the rows are whole: every reference resolves, every lot's counters add up
    let (brokenReferences, integrity, dueLots, undelivered) = try await database.read { db in
      (
        try Row.fetchAll(db, sql: "PRAGMA foreign_key_check").count,
        try String.fetchOne(db, sql: "PRAGMA integrity_check"),
        try Int.fetchOne(
          db, sql: "SELECT COUNT(*) FROM points_lot WHERE remaining > 0 AND expires_at <= ?",
          arguments: [Self.asOf]),
        try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox_event WHERE state = 0")
      )
    }
    #expect(brokenReferences == 0)
    #expect(integrity == "ok")
    #expect(dueLots == 0)
    #expect(undelivered == 0)
  }

  @Test("tiers are what the program makes of each member's activity")
  func tiers() async throws {
    let (database, _) = try Self.filledStore()
    try await LoyaltyHarness.run(database: database, clock: ManualClock(start: Self.asOf)) {
      loyalty in
      for n in 0..<Self.accounts {
        let customer = "bulk-\(n)"
        let member = try await loyalty.client.getMemberTier(.with { $0.customerID = customer })
        let changes = try await loyalty.client.listTierChanges(
          .with {
            $0.customerID = customer
            $0.page.pageSize = 100
          }
        ).changes
        // The latest change names the tier the member has; a member above the lowest tier
        // is in a period that has not ended yet.
        #expect(member.tier == (changes.first?.toTier ?? "silver"), "\(customer)")
        if member.tier != "silver" {
          #expect(member.periodEndTime.date > Self.asOf, "\(customer)")
        }
        // Upgrades happen at once: a member qualifying for more than their tier would have
        // been upgraded by their last earn (the window only shrinks after it).
        let qualifiesForDiamond =
          member.windowSpendMinor >= 2_000_000 || member.windowPurchases >= 30
          || member.windowPoints >= 20_000
        if qualifiesForDiamond, member.tier != "diamond" {
          Issue.record("\(customer) qualifies for diamond but is \(member.tier)")
        }
      }
    }
  }

  @Test("earn, redeem, refund and replay work on filled accounts")
  func writesOnFilledAccounts() async throws {
    let (database, _) = try Self.filledStore()
    let clock = ManualClock(start: Self.asOf.addingTimeInterval(60))
    try await LoyaltyHarness.run(database: database, clock: clock) { loyalty in
      // Given a filled account, when it earns and then redeems its whole balance
      let customer = "bulk-17"
      let before = try await loyalty.account(customer)
      let earned = try await loyalty.earn(customer, 120, order: "new-order")
      #expect(earned.account.balance == before.balance + 120 - min(before.pointsDebt, 120))
      let all = earned.account.balance
      let redeemed = try await loyalty.redeem(customer, all)
      // Then every lot was spent, first to expire first, and the invariant holds
      #expect(redeemed.account.balance == 0)
      try await loyalty.expectInvariant(customer)
      let error = await rpcError { try await loyalty.redeem(customer, 1) }
      #expect(error?.code == .failedPrecondition)

      // A redeem the fill recorded replays its stored outcome for the same key and body
      let (key, requestBytes, responseBytes) = try await database.read { db in
        let row = try Row.fetchOne(
          db,
          sql: """
            SELECT key, request, response FROM idempotency_record
            WHERE scope = 'RedeemPoints' AND key LIKE 'bulk-redeem-%' LIMIT 1
            """)!
        return (row["key"] as String, row["request"] as Data, row["response"] as Data)
      }
      let request = try Crm_Loyalty_V1_RedeemPointsRequest(serializedBytes: requestBytes)
      #expect(request.idempotencyKey.key == key)
      let replayed = try await loyalty.client.redeemPoints(request)
      #expect(replayed == (try Crm_Loyalty_V1_RedeemPointsResponse(serializedBytes: responseBytes)))

      // A refund the fill applied is not applied twice
      let reversal = try await database.read { db in
        try Row.fetchOne(
          db, sql: "SELECT * FROM points_reversal WHERE refund_id LIKE 'bulk-%' LIMIT 1")!
      }
      let again = await rpcError {
        _ = try await loyalty.client.reversePoints(
          LoyaltyHarness.reverseRequest(
            reversal["customer_id"], order: reversal["order_id"], refund: reversal["refund_id"],
            refunded: 1, of: reversal["order_amount_minor"]))
      }
      #expect(again?.code == .alreadyExists)

      // And a refund of a filled order that was not refunded yet takes back its points
      let order = try await database.read { db in
        try Row.fetchOne(
          db,
          sql: """
            SELECT l.customer_id, l.order_id, l.points FROM points_lot l
            WHERE l.remaining = l.points AND NOT EXISTS (
              SELECT 1 FROM points_reversal r WHERE r.customer_id = l.customer_id
                AND r.order_id = l.order_id)
            LIMIT 1
            """)!
      }
      let reversed = try await loyalty.client.reversePoints(
        LoyaltyHarness.reverseRequest(
          order["customer_id"], order: order["order_id"], refund: "new-refund", refunded: 100,
          of: 100))
      #expect(reversed.pointsReversed == order["points"])
      try await loyalty.expectInvariant(order["customer_id"])
    }
  }

  @Test("the fill's text of a time is GRDB's, and its months are the policy's")
  func timesAsTheServiceWritesThem() throws {
    var policySteps = BulkMonthStep(expiry: PointsExpiryPolicy())
    var rounded = BulkMonthStep(expiry: PointsExpiryPolicy(roundToEndOfMonth: true))
    var random = SplitMix64(seed: 3)
    for _ in 0..<2_000 {
      let seconds = 1_600_000_000 + Int64(random.next() % 300_000_000)
      let date = Date(timeIntervalSince1970: TimeInterval(seconds))
      #expect(StoreDateText.text(milliseconds: seconds * 1000) == String.fromDatabaseValue(date.databaseValue))
      #expect(
        policySteps(seconds)
          == Int64(PointsExpiryPolicy().expiry(ofPointsEarnedAt: date).timeIntervalSince1970))
      #expect(
        rounded(seconds)
          == Int64(
            PointsExpiryPolicy(roundToEndOfMonth: true).expiry(ofPointsEarnedAt: date)
              .timeIntervalSince1970))
    }
    // A leap day a year on is the last day of February
    #expect(StoreDateText.text(milliseconds: policySteps(Int64(utc(2024, 2, 29, 13).timeIntervalSince1970)) * 1000)
      == "2025-02-28 13:00:00.000")
  }

  @Test("the same seed fills the same store; a store with accounts is refused")
  func deterministicAndRefusesFilledStore() throws {
    let (first, _) = try Self.filledStore(entries: 2_000, seed: 11)
    let (second, _) = try Self.filledStore(entries: 2_000, seed: 11)
    let digest = { (db: Database) in
      try Row.fetchAll(
        db, sql: "SELECT id, customer_id, kind, points, created_at FROM ledger_entry ORDER BY id")
    }
    #expect(try first.read(digest) == second.read(digest))
    #expect(throws: LoyaltyBulkFill.RefusedStore.self) {
      _ = try LoyaltyBulkFill.fill(
        first, options: .init(accounts: 1, entries: 1, customerID: { "bulk-\($0)" }))
    }
  }

  @Test("balance reads and the first ledger page are index lookups")
  func readsUseIndexes() throws {
    let (database, _) = try Self.filledStore(entries: 2_000)
    let (account, page) = try database.read { db in
      (
        try Row.fetchAll(
          db, sql: "EXPLAIN QUERY PLAN SELECT * FROM loyalty_account WHERE customer_id = ?",
          arguments: ["bulk-1"]
        ).map { $0["detail"] as String }.joined(separator: " | "),
        try Row.fetchAll(
          db,
          sql: """
            EXPLAIN QUERY PLAN SELECT * FROM ledger_entry WHERE customer_id = ?
            ORDER BY created_at DESC, id DESC LIMIT ?
            """, arguments: ["bulk-1", 51]
        ).map { $0["detail"] as String }.joined(separator: " | ")
      )
    }
    #expect(account.contains("USING INDEX sqlite_autoindex_loyalty_account_1"), "\(account)")
    #expect(page.contains("USING INDEX ledger_entry_by_customer_time"), "\(page)")
    #expect(!page.contains("SCAN ledger_entry"), "\(page)")
  }
}
