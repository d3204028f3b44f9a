import Contracts
import Foundation
import GRDB
import GRPCCore
import ServiceKit
import Testing

@Suite("Loyalty: keyset paging of ListTierChanges and ListCoupons")
struct ListPagingTests {
  func dormant(_ loyalty: LoyaltyHarness, _ customer: String) -> Crm_Events_V1_Event {
    EventStore.event(
      from: .segmentation, customerID: customer, at: loyalty.clock.now(),
      payload: .lifecycleStageChanged(
        .with {
          $0.fromStage = "active"
          $0.toStage = "dormant"
        }))
  }

  @Test("coupons come newest first, page by page, each once, ties included")
  func couponPages() async throws {
    try await LoyaltyHarness.run { loyalty in
      // Given 5 come-back coupons, 3 issued at the same instant, and one of bob's
      for _ in 1...3 { try await loyalty.deliver(dormant(loyalty, "alice")) }
      loyalty.clock.advance(by: 60)
      for _ in 1...2 { try await loyalty.deliver(dormant(loyalty, "alice")) }
      try await loyalty.deliver(dormant(loyalty, "bob"))

      // When read 2 at a time
      var pages: [[Crm_Loyalty_V1_Coupon]] = []
      var token = ""
      repeat {
        let page = try await loyalty.client.listCoupons(
          .with {
            $0.customerID = "alice"
            $0.page.pageSize = 2
            $0.page.pageToken = token
          })
        pages.append(page.coupons)
        token = page.page.nextPageToken
      } while !token.isEmpty

      // Then every coupon once, newest first; without a page size, all of them at once
      #expect(pages.map(\.count) == [2, 2, 1])
      let codes = pages.flatMap { $0.map(\.code) }
      #expect(Set(codes).count == 5)
      let times = pages.flatMap { $0.map(\.validFrom.date) }
      #expect(times == times.sorted(by: >))
      let all = try await loyalty.client.listCoupons(.with { $0.customerID = "alice" })
      #expect(all.coupons.map(\.code) == codes)
      #expect(all.page.nextPageToken.isEmpty)
    }
  }

  @Test("tier changes come newest first, page by page, each once, ties included")
  func tierChangePages() async throws {
    try await LoyaltyHarness.run { loyalty in
      // Given a real upgrade, then four more changes, two of them at one instant
      var program = try await loyalty.client.getTierProgram(.init()).program
      program.tiers[1].minSpendMinor = 0
      program.tiers[1].minPurchases = 0
      program.tiers[1].minPoints = 10
      _ = try await loyalty.client.setTierProgram(.with { $0.program = program })
      try await loyalty.earn("alice", 10)
      try await loyalty.earn("bob", 10)
      let first = loyalty.clock.now()
      try await loyalty.database.write { db in
        for (offset, tiers) in [(60.0, ("gold", "diamond")), (120, ("diamond", "gold")),
          (120, ("gold", "diamond")), (180, ("diamond", "gold"))]
        {
          try db.execute(
            sql: """
              INSERT INTO tier_change (customer_id, from_tier, to_tier, reason, created_at)
              VALUES ('alice', ?, ?, 'upgrade', ?)
              """, arguments: [tiers.0, tiers.1, first.addingTimeInterval(offset)])
        }
      }

      var pages: [[Crm_Loyalty_V1_TierChange]] = []
      var token = ""
      repeat {
        let page = try await loyalty.client.listTierChanges(
          .with {
            $0.customerID = "alice"
            $0.page.pageSize = 2
            $0.page.pageToken = token
          })
        pages.append(page.changes)
        token = page.page.nextPageToken
      } while !token.isEmpty

      #expect(pages.map(\.count) == [2, 2, 1])
      let changes = pages.flatMap { $0 }
      #expect(changes.map(\.changeTime.date) == [180, 120, 120, 60, 0].map { first.addingTimeInterval($0) })
      #expect(changes.last?.toTier == "gold")
      #expect(changes.last?.fromTier == "")
      let all = try await loyalty.client.listTierChanges(.with { $0.customerID = "alice" })
      #expect(all.changes == changes)
      #expect(all.page.nextPageToken.isEmpty)
    }
  }

  @Test("a negative size, a foreign or another listing's token are INVALID_ARGUMENT naming the field")
  func badPages() async throws {
    try await LoyaltyHarness.run { loyalty in
      for _ in 1...2 {
        try await loyalty.deliver(dormant(loyalty, "alice"))
        try await loyalty.deliver(dormant(loyalty, "bob"))
      }
      let bobsToken = try await loyalty.client.listCoupons(
        .with {
          $0.customerID = "bob"
          $0.page.pageSize = 1
        }
      ).page.nextPageToken
      #expect(!bobsToken.isEmpty)
      for token in ["garbage", bobsToken] {
        let error = await rpcError {
          _ = try await loyalty.client.listCoupons(
            .with {
              $0.customerID = "alice"
              $0.page.pageToken = token
            })
        }
        #expect(error?.code == .invalidArgument)
        #expect(error?.message.hasPrefix("page.page_token:") == true)
      }
      let negative = await rpcError {
        _ = try await loyalty.client.listCoupons(
          .with {
            $0.customerID = "alice"
            $0.page.pageSize = -1
          })
      }
      #expect(negative?.message.hasPrefix("page.page_size:") == true)

      // A coupon token does not page tier changes
      try await loyalty.earn("bob", 1)
      let crossed = await rpcError {
        _ = try await loyalty.client.listTierChanges(
          .with {
            $0.customerID = "bob"
            $0.page.pageToken = bobsToken
          })
      }
      #expect(crossed?.code == .invalidArgument)
      #expect(crossed?.message.hasPrefix("page.page_token:") == true)
    }
  }
}
