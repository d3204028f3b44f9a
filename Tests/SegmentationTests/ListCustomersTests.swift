import Contracts
import GRDB
import GRPCCore
import ServiceKit
import Testing

@testable import Segmentation

@Suite("Segmentation: ListCustomers filters and keyset paging")
struct ListCustomersTests {
  func list(
    _ h: SegmentationHarness, _ filter: Crm_Segmentation_V1_CustomerFilter = .init()
  ) async throws -> [String] {
    var names: [String] = []
    var token = ""
    repeat {
      let page = try await h.client.listCustomers(
        .with {
          $0.filter = filter
          $0.page = .with {
            $0.pageSize = 2
            $0.pageToken = token
          }
        })
      names += page.customers.map(\.displayName)
      token = page.page.nextPageToken
    } while !token.isEmpty
    return names.sorted()
  }

  @Test("each filter narrows the list, and they combine")
  func filters() async throws {
    try await SegmentationHarness.run { h in
      // Given five profiles with different attributes and spend
      let a = try await h.createCustomer(
        "A", tags: ["vip"], accountManager: "am-1", sourceChannel: "store")
      let b = try await h.createCustomer(
        "B", type: .enterprise, tags: ["vip", "b2b"], accountManager: "am-1")
      let c = try await h.createCustomer(
        "C", tags: ["parenting"], accountManager: "am-2", sourceChannel: "store")
      try await h.createCustomer("D", type: .enterprise, sourceChannel: "web")
      try await h.createCustomer("E")
      try await h.record(h.purchase("o-a", customer: a, amount: 150_000))
      try await h.record(h.purchase("o-b", customer: b, amount: 20_000))
      try await h.record(h.purchase("o-c", customer: c, amount: 60_000))

      // Then
      #expect(try await list(h) == ["A", "B", "C", "D", "E"])
      #expect(try await list(h, .with { $0.tag = "vip" }) == ["A", "B"])
      #expect(try await list(h, .with { $0.accountManager = "am-1" }) == ["A", "B"])
      #expect(try await list(h, .with { $0.sourceChannel = "store" }) == ["A", "C"])
      #expect(try await list(h, .with { $0.type = .enterprise }) == ["B", "D"])
      #expect(try await list(h, .with { $0.minTotalSpend = .cny(50_000) }) == ["A", "C"])
      #expect(
        try await list(
          h,
          .with {
            $0.minTotalSpend = .cny(20_000)
            $0.maxTotalSpend = .cny(60_000)
          }) == ["B", "C"])
      #expect(
        try await list(
          h,
          .with {
            $0.tag = "vip"
            $0.minTotalSpend = .cny(100_000)
          }) == ["A"])
      #expect(
        try await list(
          h,
          .with {
            $0.accountManager = "am-1"
            $0.type = .individual
          }) == ["A"])
    }
  }

  @Test("tier and lifecycle-stage filters list the profiles the rules and the clock put there")
  func tierAndStageFilters() async throws {
    try await SegmentationHarness.run { h in
      let big = try await h.createCustomer("Big")
      try await h.record(h.purchase("o-1", customer: big, amount: 6_000_000))
      let quiet = try await h.createCustomer("Quiet")
      h.clock.advance(by: 100 * 86_400)
      _ = try await h.client.runLifecycleScan(.init())
      let highValue = try await h.client.listCustomers(.with { $0.filter.tier = "churn_risk" })
      #expect(highValue.customers.map(\.customerID) == [big])
      let dormant = try await h.client.listCustomers(.with { $0.filter.lifecycleStage = "dormant" })
      #expect(Set(dormant.customers.map(\.customerID)) == [big, quiet])
      await expectRPCError(.invalidArgument, field: "filter.lifecycle_stage") {
        _ = try await h.client.listCustomers(.with { $0.filter.lifecycleStage = "asleep" })
      }
    }
  }

  @Test("paging stays stable while profiles are added and changed between pages")
  func stablePaging() async throws {
    try await SegmentationHarness.run { h in
      // Given ten profiles
      var ids: [String] = []
      for index in 0..<10 { ids.append(try await h.createCustomer("P\(index)", tags: ["t"])) }
      let first = try await h.client.listCustomers(
        .with {
          $0.filter.tag = "t"
          $0.page.pageSize = 4
        })
      #expect(first.customers.count == 4)

      // When, between pages, new profiles arrive and an already listed one changes
      for index in 0..<5 { try await h.createCustomer("New\(index)", tags: ["t"]) }
      try await h.client.updateCustomer(
        .with {
          $0.customer = .with {
            $0.customerID = first.customers[0].customerID
            $0.displayName = "Renamed"
          }
          $0.updateMask = .init(protoPaths: ["display_name"])
        })
      var seen = first.customers.map(\.customerID)
      var token = first.page.nextPageToken
      while !token.isEmpty {
        let page = try await h.client.listCustomers(
          .with {
            $0.filter.tag = "t"
            $0.page = .with {
              $0.pageSize = 4
              $0.pageToken = token
            }
          })
        seen += page.customers.map(\.customerID)
        token = page.page.nextPageToken
      }

      // Then no profile repeats, ids ascend, and every original profile was listed once
      #expect(Set(seen).count == seen.count)
      #expect(seen == seen.sorted())
      #expect(Set(ids).isSubset(of: Set(seen)))
    }
  }

  @Test("a malformed token, a token of another filter, a bad page size or filter: INVALID_ARGUMENT")
  func badPaging() async throws {
    try await SegmentationHarness.run { h in
      for index in 0..<3 { try await h.createCustomer("P\(index)", tags: ["t"]) }
      let page = try await h.client.listCustomers(
        .with {
          $0.filter.tag = "t"
          $0.page.pageSize = 1
        })
      #expect(!page.page.nextPageToken.isEmpty)
      for bad in ["!!not-base64", "djE6eno6", page.page.nextPageToken + "x"] {
        await expectRPCError(.invalidArgument, field: "page.page_token") {
          _ = try await h.client.listCustomers(
            .with {
              $0.filter.tag = "t"
              $0.page.pageToken = bad
            })
        }
      }
      await expectRPCError(.invalidArgument, field: "page.page_token") {
        _ = try await h.client.listCustomers(
          .with {
            $0.filter.tag = "other"
            $0.page.pageToken = page.page.nextPageToken
          })
      }
      await expectRPCError(.invalidArgument, field: "page.page_size") {
        _ = try await h.client.listCustomers(.with { $0.page.pageSize = -1 })
      }
      await expectRPCError(.invalidArgument, field: "filter.min_total_spend.currency") {
        _ = try await h.client.listCustomers(
          .with { $0.filter.minTotalSpend = .with { $0.amountMinor = 1 } })
      }
      await expectRPCError(.invalidArgument, field: "filter.max_total_spend.currency") {
        _ = try await h.client.listCustomers(
          .with {
            $0.filter.minTotalSpend = .cny(1)
            $0.filter.maxTotalSpend = .with {
              $0.amountMinor = 5
              $0.currency = "USD"
            }
          })
      }
    }
  }

  /// What the driving step of each filter's page query must search, and whether the page
  /// needs a sort (only a spend range does: it cannot be read in id order).
  static let plans: [(filter: String, search: String, sorts: Bool)] = [
    (
      "tag",
      "SEARCH customer_tag USING COVERING INDEX customer_tag_by_tag_customer (tag=? AND customer_id>?)",
      false
    ),
    (
      "account_manager",
      "SEARCH customer USING INDEX customer_by_account_manager (account_manager=? AND id>?)", false
    ),
    (
      "source_channel",
      "SEARCH customer USING INDEX customer_by_source_channel (source_channel=? AND id>?)", false
    ),
    ("type", "SEARCH customer USING INDEX customer_by_type (type=? AND id>?)", false),
    ("tier", "SEARCH customer USING INDEX customer_by_tier (tier=? AND id>?)", false),
    (
      "lifecycle_stage",
      "SEARCH customer USING INDEX customer_by_lifecycle_stage (lifecycle_stage=? AND id>?)", false
    ),
    (
      "spend",
      "SEARCH customer USING INDEX customer_by_spend (currency=? AND total_spend_minor>? AND total_spend_minor<?)",
      true
    ),
    ("none", "SEARCH customer USING INDEX sqlite_autoindex_customer_1 (id>?)", false),
  ]

  @Test("EXPLAIN QUERY PLAN: each main filter's page is an index range", arguments: plans)
  func queryPlans(filter: String, search: String, sorts: Bool) async throws {
    let database = try StoreOpener.inMemory(migrator: SegmentationStore.migrator)
    var proto = Crm_Segmentation_V1_CustomerFilter()
    switch filter {
    case "tag": proto.tag = "vip"
    case "account_manager": proto.accountManager = "am-1"
    case "source_channel": proto.sourceChannel = "store"
    case "type": proto.type = .enterprise
    case "tier": proto.tier = "high_value"
    case "lifecycle_stage": proto.lifecycleStage = "dormant"
    case "spend":
      proto.minTotalSpend = .cny(100)
      proto.maxTotalSpend = .cny(1000)
    default: break
    }
    let (sql, arguments) = try CustomerListQuery(validating: proto).sql(
      afterID: "some-id", limit: 51)
    let plan = try await database.read { db in
      try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN \(sql)", arguments: arguments).map {
        $0["detail"] as String
      }
    }
    #expect(plan.first == search, "\(plan)")
    #expect(!plan.contains { $0.hasPrefix("SCAN") }, "\(plan)")
    #expect(plan.contains { $0.contains("TEMP B-TREE") } == sorts, "\(plan)")
    if filter == "tag" {
      #expect(
        plan.contains("SEARCH customer USING INDEX sqlite_autoindex_customer_1 (id=?)"), "\(plan)")
    }
  }

  @Test("EXPLAIN QUERY PLAN: identity and windowed figures are index lookups")
  func lookupPlans() async throws {
    let database = try StoreOpener.inMemory(migrator: SegmentationStore.migrator)
    let plans = try await database.read { db in
      try [
        "SELECT * FROM customer_identity WHERE channel = 1 AND external_id = 'x'",
        "SELECT COUNT(*) FROM purchase WHERE customer_id = 'x' AND purchased_at > 'y'",
        "SELECT id FROM customer WHERE merged_into = 'x'",
      ].map { sql in
        try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN \(sql)").map { $0["detail"] as String }
      }
    }
    #expect(
      plans[0] == [
        "SEARCH customer_identity USING INDEX sqlite_autoindex_customer_identity_1 (channel=? AND external_id=?)"
      ])
    #expect(
      plans[1] == [
        "SEARCH purchase USING COVERING INDEX purchase_by_customer_time (customer_id=? AND purchased_at>?)"
      ])
    #expect(plans[2] == ["SEARCH customer USING INDEX customer_by_merged_into (merged_into=?)"])
  }
}
