import Contracts
import Foundation
import GRDB
import GRPCCore
import ServiceKit
import Testing

@testable import Segmentation

@Suite("Segmentation: a bulk-filled store reads as the service's own")
struct BulkFillTests {
  static let customers = 600
  static let purchases = 6_000

  static func plan(asOf: Date) -> SegmentationBulkFill.Plan {
    SegmentationBulkFill.Plan(
      customers: customers, purchases: purchases, products: 300, asOf: asOf, seed: 7,
      customerID: { BulkIDs.customer($0) },
      productID: { BulkIDs.product($0) })
  }

  @Test("counts, lookups, identities, figures, RFM, scan, dry run and lists over the filled store")
  func filledStore() async throws {
    try await SegmentationHarness.run { h in
      // Given a store filled as of the clock's now
      let asOf = h.clock.now()
      let summary = try await SegmentationBulkFill(plan: Self.plan(asOf: asOf)).run(
        database: h.store.database)

      // Then it holds what was asked, and each profile's figures are its purchases' sums
      #expect(summary.customers == Self.customers)
      #expect(summary.purchases == Self.purchases)
      let mismatches = try await h.store.database.read { db in
        try Int.fetchOne(
          db,
          sql: """
            SELECT COUNT(*) FROM customer c LEFT JOIN (
              SELECT customer_id, SUM(amount_minor) AS spend, SUM(margin_minor) AS margin,
                COUNT(*) AS n, MIN(purchased_at) AS first, MAX(purchased_at) AS last
              FROM purchase GROUP BY customer_id) p ON p.customer_id = c.id
            WHERE c.total_spend_minor != COALESCE(p.spend, 0)
              OR c.total_margin_minor != COALESCE(p.margin, 0)
              OR c.purchase_count != COALESCE(p.n, 0)
              OR c.first_purchase_at IS NOT p.first OR c.last_purchase_at IS NOT p.last
              OR c.last_activity_at IS NOT p.last
              OR (p.n > 0) != (c.currency = 'CNY')
            """) ?? -1
      }
      #expect(mismatches == 0)
      let categoryMismatches = try await h.store.database.read { db in
        try Int.fetchOne(
          db,
          sql: """
            SELECT COUNT(*) FROM (
              SELECT p.customer_id, i.category, SUM(i.amount_minor) AS spend
              FROM purchase p JOIN purchase_item i ON i.order_id = p.order_id
              GROUP BY p.customer_id, i.category HAVING spend != 0) x
            FULL JOIN customer_category_spend s
              ON s.customer_id = x.customer_id AND s.category = x.category
            WHERE s.spend_minor IS NOT x.spend
            """) ?? -1
      }
      #expect(categoryMismatches == 0)

      // The service's reads find every profile by id and by app account
      for n in stride(from: 0, to: Self.customers, by: 37) {
        let id = BulkIDs.customer(n)
        let customer = try await h.get(id)
        #expect(customer.customerID == id)
        let stored = try await h.store.database.read { db in
          try CategorySpendRecord.filter(Column("customer_id") == id).fetchAll(db)
        }
        let top = stored.filter { $0.spendMinor > 0 }
          .sorted { ($1.spendMinor, $0.category) < ($0.spendMinor, $1.category) }
          .prefix(3).map(\.category)
        #expect(customer.preferredCategories == Array(top))
        let resolved = try await h.client.resolveIdentity(.with {
          $0.identity = h.identity(.appAccount, "bulk-app-\(n)")
        })
        #expect(resolved.customer.customerID == id)
        if !customer.phone.isEmpty {
          let byPhone = try await h.client.resolveIdentity(.with {
            $0.identity = h.identity(.phone, customer.phone)
          })
          #expect(byPhone.customer.customerID == id)
        }
      }

      // RFM is what the service's own recompute gives: the scan's chunked one, from scratch,
      // writes the scores the fill's single statement wrote
      let rfmSQL = "SELECT id, rfm_recency, rfm_frequency, rfm_monetary FROM customer ORDER BY id"
      let filledRFM = try await h.store.database.read { try Row.fetchAll($0, sql: rfmSQL) }
      try await h.store.database.write { db in
        try db.execute(sql: "UPDATE customer SET rfm_recency = 0, rfm_frequency = 0, rfm_monetary = 0")
      }
      try await RFMScores.recompute(database: h.store.database, chunk: 50)
      #expect(try await h.store.database.read { try Row.fetchAll($0, sql: rfmSQL) } == filledRFM)
      #expect(filledRFM.contains { ($0[1] as Int) == 5 } && filledRFM.contains { ($0[1] as Int) == 1 })
      #expect(try await h.client.runLifecycleScan(.init()).changedCustomers == 0)

      // The dry run of the current rules counts every profile; a tier's list holds that tier
      let rules = try await h.client.listTierRules(.init()).rules
      let dryRun = try await h.client.dryRunTierRules(.with { $0.rules = rules })
      #expect(dryRun.tierCounts.reduce(0) { $0 + $1.customers } == Int64(Self.customers))
      let ordinary = try await h.client.listCustomers(.with { $0.filter.tier = "ordinary" })
      #expect(!ordinary.customers.isEmpty)
      #expect(ordinary.customers.allSatisfy { $0.tier == "ordinary" })
      let dormant = try await h.client.listCustomers(.with { $0.filter.lifecycleStage = "dormant" })
      #expect(!dormant.customers.isEmpty)
      #expect(dormant.customers.allSatisfy { $0.lifecycleStage == "dormant" })

      // A repeat of a filled order is recognised as the same order; another body conflicts
      let order = try await h.client.getPurchase(.with { $0.orderID = "bulk-o-000000042" }).purchase
      var repeatOrder = order
      repeatOrder.refundedMinor = 0
      repeatOrder.clearRecordTime()
      let before = try await h.get(order.customerID)
      let repeated = try await h.record(repeatOrder)
      #expect(repeated.purchase == order)
      #expect(try await h.get(order.customerID).purchaseCount == before.purchaseCount)
      repeatOrder.marginMinor += 1
      await expectRPCError(.alreadyExists) { try await h.record(repeatOrder) }

      // A re-tier over the filled store walks every profile
      var rule = try #require(rules.first { $0.ruleID == "default-ordinary" })
      rule.description_p = "everyone else (re-tier)"
      let job = try await h.client.updateTierRule(.with { $0.rule = rule }).retierJobID
      let done = try await h.finish(job: job)
      #expect(done.state == .done)
      #expect(done.done == Int64(Self.customers))
    }
  }

  @Test("profiles replayed through RecordPurchase and the scan end exactly as the fill wrote them")
  func replayMatches() async throws {
    try await SegmentationHarness.run { a in
      let asOf = a.clock.now()
      _ = try await SegmentationBulkFill(plan: Self.plan(asOf: asOf)).run(database: a.store.database)
      let sample = try await Self.sample(a)
      #expect(sample.count >= 8)
      try await SegmentationHarness.run { b in
        for id in sample {
          let (filled, replayed) = try await Self.replay(id, from: a, into: b, asOf: asOf)
          #expect(filled.record == replayed.record, "\(id)")
          #expect(filled.history == replayed.history, "\(id)")
          #expect(filled.tags == replayed.tags, "\(id)")
          #expect(filled.spend == replayed.spend, "\(id)")
        }
      }
    }
  }

  @Test("a rule's match without evidence is the match with it, over filled profiles")
  func matchesAgreesWithHolds() async throws {
    try await SegmentationHarness.run { h in
      _ = try await SegmentationBulkFill(plan: Self.plan(asOf: h.clock.now())).run(
        database: h.store.database)
      let now = h.clock.now()
      let disagreements = try await h.store.database.read { db in
        let rules = try TierRuleSet.load(db).rules
        var disagreements = 0
        for record in try CustomerRecord.fetchAll(db) {
          let facts = try ProfileFacts.read(db, record: record, now: now)
          for rule in rules {
            var evidence: [String] = []
            let held = RuleCondition.holds(rule.condition, facts: facts, evidence: &evidence)
            let negated = RuleCondition.holds(.with { $0.not = rule.condition }, facts: facts, evidence: &evidence)
            if RuleCondition.matches(rule.condition, facts: facts) != held { disagreements += 1 }
            if RuleCondition.matches(.with { $0.not = rule.condition }, facts: facts) != negated {
              disagreements += 1
            }
          }
        }
        return disagreements
      }
      #expect(disagreements == 0)
    }
  }

  @Test("the per-day window cache gives the calendar's window starts")
  func windowStarts() {
    var cache = WindowStartCache()
    var random = SplitMix64(seed: 3)
    for _ in 0..<2_000 {
      let now = Date(timeIntervalSince1970: Double(random.int(1_600_000_000..<1_900_000_000)))
      let cached = cache.starts(at: now)
      let direct = CustomerProfile.windowStarts(now: now)
      #expect(cached.yearAgo == direct.yearAgo)
      #expect(cached.recentStart == direct.recentStart, "\(now)")
    }
  }

  @Test("the fill refuses a store that already has profiles")
  func refusesFilledStore() async throws {
    try await SegmentationHarness.run { h in
      try await h.createCustomer("Someone")
      await #expect(throws: SegmentationBulkFill.NotEmpty.self) {
        _ = try await SegmentationBulkFill(plan: Self.plan(asOf: h.clock.now())).run(
          database: h.store.database)
      }
    }
  }

  @Test("EXPLAIN QUERY PLAN: a batch's window figures are one range of the covering index")
  func batchFactsPlan() async throws {
    let database = try StoreOpener.inMemory(migrator: SegmentationStore.migrator)
    let plan = try await database.read { db in
      try Row.fetchAll(
        db,
        sql: """
          EXPLAIN QUERY PLAN SELECT customer_id, SUM(amount_minor), COUNT(*) FROM purchase
          WHERE customer_id BETWEEN 'a' AND 'b' AND purchased_at > 'x' GROUP BY customer_id
          """
      ).map { $0["detail"] as String }
    }
    #expect(
      plan == [
        "SEARCH purchase USING COVERING INDEX purchase_by_customer_time (customer_id>? AND customer_id<?)"
      ], "\(plan)")
  }

  // MARK: - Replay

  struct ProfileState: Equatable {
    var record: CustomerRecord
    var history: [String]
    var tags: [String]
    var spend: [String]
  }

  /// Profiles of every final stage and tier the fill produced, a few of each.
  static func sample(_ h: SegmentationHarness) async throws -> [String] {
    try await h.store.database.read { db in
      let rows = try Row.fetchAll(
        db, sql: "SELECT id, lifecycle_stage, tier, purchase_count FROM customer ORDER BY id")
      var taken: [String: Int] = [:]
      var ids: [String] = []
      for row in rows {
        let keys = ["stage:" + (row["lifecycle_stage"] as String), "tier:" + (row["tier"] as String)]
        guard keys.contains(where: { taken[$0, default: 0] < 2 }) else { continue }
        for key in keys { taken[key, default: 0] += 1 }
        ids.append(row["id"])
      }
      return ids
    }
  }

  static func state(_ h: SegmentationHarness, id: String) async throws -> ProfileState {
    try await h.store.database.read { db in
      var record = try #require(try CustomerRecord.fetchOne(db, key: id))
      record.id = ""
      (record.rfmRecency, record.rfmFrequency, record.rfmMonetary) = (0, 0, 0)
      let history = try Row.fetchAll(
        db,
        sql: "SELECT kind, changed_at, from_value, to_value, cause FROM profile_change WHERE customer_id = ? ORDER BY seq",
        arguments: [id]
      ).map { "\($0[0] as Int) \($0[1] as Date) \($0[2] as String)->\($0[3] as String) \($0[4] as String)" }
      let tags = try Row.fetchAll(
        db, sql: "SELECT tag, rule_id FROM customer_tag WHERE customer_id = ? ORDER BY tag",
        arguments: [id]
      ).map { "\($0[0] as String)/\($0[1] as String)" }
      let spend = try Row.fetchAll(
        db,
        sql: "SELECT category, spend_minor FROM customer_category_spend WHERE customer_id = ? ORDER BY category",
        arguments: [id]
      ).map { "\($0[0] as String)=\($0[1] as Int64)" }
      return ProfileState(record: record, history: history, tags: tags, spend: spend)
    }
  }

  /// Registers `id`'s person in `b` at its registration time, records its orders each at its
  /// time, and runs the scan at each stage deadline up to `asOf`, as the fill assumes.
  static func replay(
    _ id: String, from a: SegmentationHarness, into b: SegmentationHarness, asOf: Date
  ) async throws -> (filled: ProfileState, replayed: ProfileState) {
    let (record, manualTags, purchases) = try await a.store.database.read { db in
      let record = try #require(try CustomerRecord.fetchOne(db, key: id))
      let tags = try String.fetchAll(
        db, sql: "SELECT tag FROM customer_tag WHERE customer_id = ? AND rule_id = '' ORDER BY tag",
        arguments: [id])
      let purchases = try PurchaseRecord.fetchAll(
        db, sql: "SELECT * FROM purchase WHERE customer_id = ? ORDER BY purchased_at, order_id",
        arguments: [id]
      ).map { try $0.message(db) }
      return (record, tags, purchases)
    }
    b.clock.set(record.createdAt)
    let created = try await b.client.createCustomer(.with {
      $0.customer = .with {
        $0.type = .init(rawValue: record.type) ?? .unspecified
        $0.displayName = record.displayName
        $0.email = record.email
        $0.phone = record.phone
        $0.sourceChannel = record.sourceChannel
        $0.accountManager = record.accountManager
        $0.timeZone = record.timeZone
        $0.tags = manualTags
      }
    }).customer.customerID
    var next = 0
    for _ in 0..<10_000 {
      let current = try await b.store.database.read { db in
        try #require(try CustomerRecord.fetchOne(db, key: created))
      }
      let purchaseTime = next < purchases.count ? purchases[next].purchaseTime.date : nil
      if let deadline = current.stageDeadlineAt, deadline <= asOf,
        purchaseTime.map({ deadline < $0 }) ?? true
      {
        b.clock.set(deadline)
        _ = try await b.client.runLifecycleScan(.init())
        continue
      }
      guard let purchaseTime else { break }
      var purchase = purchases[next]
      purchase.customerID = created
      purchase.refundedMinor = 0
      purchase.clearRecordTime()
      b.clock.set(purchaseTime)
      try await b.record(purchase)
      next += 1
    }
    return (try await state(a, id: id), try await state(b, id: created))
  }
}
