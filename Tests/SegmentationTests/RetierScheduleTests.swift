import Contracts
import Foundation
import GRDB
import Segmentation
import Testing

@Suite("Segmentation: periodic re-tiers keep tiers over time windows current")
struct RetierScheduleTests {
  @Test("a tier that compares recency follows time once the re-tier interval has passed, with no write")
  func periodicRetier() async throws {
    let day: TimeInterval = 86_400
    try await SegmentationHarness.run(retierInterval: day) { h in
      // Given a rule that gives "recent_buyer" to a purchase within 30 days
      let created = try await h.client.createTierRule(
        .with {
          $0.rule = TierRuleTests.rule(
            "recent_buyer", priority: 1, TierRuleTests.comparison("recency_days", .lessOrEqual, number: 30))
        })
      _ = try await h.finish(job: created.retierJobID)
      let jobs = try await jobCount(h)
      // and a buyer whose purchase is 30 days and 18 hours old
      let id = try await h.createCustomer("Ann")
      try await h.record(h.purchase("o-1", customer: id, amount: 5_000, daysAgo: 30.75))
      #expect(try await h.get(id).tier == "recent_buyer")

      // When 12 hours pass (the purchase is now 31 days old) the stored tier is still the old
      // one: the rules changed 12 hours ago, less than the interval
      h.clock.advance(by: day / 2)
      try await Task.sleep(for: .milliseconds(100))
      #expect(try await h.get(id).tier == "recent_buyer")
      #expect(try await jobCount(h) == jobs)

      // When the interval has passed since the last re-tier, the worker starts one by itself
      h.clock.advance(by: day / 2)
      let moved = try await waitForTier(h, id, notEqualTo: "recent_buyer")
      #expect(moved.tier != "recent_buyer" && moved.tierRuleID != created.rule.ruleID)
      #expect(try await jobCount(h) == jobs + 1)
      let history = try await h.client.listProfileHistory(.with { $0.customerID = id })
      #expect(history.changes.last?.cause == "tier_rules")

      // and the next one waits for the next interval
      try await Task.sleep(for: .milliseconds(100))
      #expect(try await jobCount(h) == jobs + 1)
    }
  }

  private func jobCount(_ h: SegmentationHarness) async throws -> Int {
    try await h.store.database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM retier_job") ?? 0 }
  }

  /// Polls (bounded) until the profile's tier is no longer `tier`.
  private func waitForTier(_ h: SegmentationHarness, _ id: String, notEqualTo tier: String) async throws
    -> Crm_Segmentation_V1_Customer
  {
    for _ in 0..<400 {
      let customer = try await h.get(id)
      if customer.tier != tier { return customer }
      try await Task.sleep(for: .milliseconds(5))
    }
    Issue.record("the tier stayed \(tier)")
    return try await h.get(id)
  }
}
