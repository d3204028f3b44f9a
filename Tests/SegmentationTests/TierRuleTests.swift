import Contracts
import Foundation
import GRPCCore
import Segmentation
import ServiceKit
import ServiceKitTesting
import Testing

@Suite("Segmentation: tier rules the operator owns")
struct TierRuleTests {
  static func comparison(
    _ attribute: String, _ op: Crm_Segmentation_V1_ComparisonOperator, number: Double? = nil,
    text: String? = nil
  ) -> Crm_Segmentation_V1_Condition {
    .with {
      $0.comparison = .with {
        $0.attribute = attribute
        $0.operator = op
        if let number { $0.numberValue = number }
        if let text { $0.textValue = text }
      }
    }
  }

  static func all(_ conditions: [Crm_Segmentation_V1_Condition]) -> Crm_Segmentation_V1_Condition {
    .with { $0.all = .with { $0.conditions = conditions } }
  }

  static func rule(
    _ tier: String, priority: Int32, _ condition: Crm_Segmentation_V1_Condition
  ) -> Crm_Segmentation_V1_TierRule {
    .with {
      $0.tier = tier
      $0.priority = priority
      $0.condition = condition
    }
  }

  @Test("the documents' tiers ship as default rules; every write re-tiers and says why")
  func defaultRules() async throws {
    try await SegmentationHarness.run { harness in
      // Given the default rules
      let rules = try await harness.client.listTierRules(.init()).rules
      #expect(rules.map(\.tier) == [
        "high_value_active", "dormant_high_value", "churn_risk", "high_value", "potential",
        "ordinary",
      ])

      // A new registration is ordinary
      let id = try await harness.createCustomer("Gus", tags: ["need:customisation"])
      var profile = try await harness.get(id)
      #expect(profile.tier == "ordinary" && profile.tierRuleID == "default-ordinary")

      // When the customer buys for 120,000 yuan, then the tier is high_value_active, and why
      try await harness.record(harness.purchase("o-1", customer: id, amount: 12_000_000))
      profile = try await harness.get(id)
      #expect(profile.tier == "high_value_active")
      #expect(profile.tierRuleID == "default-high-value-active")
      #expect(profile.tierReason.contains("annual_spend=12000000 > 10000000"), "\(profile.tierReason)")
      #expect(profile.tierReason.contains("tags contains need:customisation"))

      // And 100 quiet days later the scan makes them churn-risk (no basic-service need)
      harness.clock.advance(by: 100 * 86_400)
      _ = try await harness.client.runLifecycleScan(.init())
      profile = try await harness.get(id)
      #expect(profile.tier == "churn_risk", "\(profile.tierReason)")

      // Each tier change is in the history with its cause
      let tiers = try await harness.client.listProfileHistory(.with { $0.customerID = id })
        .changes.filter { $0.kind == .tier }
      #expect(tiers.map { "\($0.fromValue)->\($0.toValue):\($0.cause)" } == [
        "->ordinary:registered", "ordinary->high_value_active:purchase",
        "high_value_active->churn_risk:lifecycle_scan",
      ])
    }
  }

  @Test("a saved rule is validated; INVALID_ARGUMENT names the bad part")
  func validation() async throws {
    try await SegmentationHarness.run { harness in
      let cases: [(Crm_Segmentation_V1_TierRule, String)] = [
        (
          Self.rule(
            "vip", priority: 1,
            Self.all([
              Self.comparison("total_spend", .greater, number: 1),
              Self.comparison("shoe_size", .greater, number: 40),
            ])),
          "rule.condition.all.conditions[1].comparison.attribute"
        ),
        (Self.rule("vip", priority: 1, .init()), "rule.condition"),
        (
          Self.rule("VIP!", priority: 1, Self.comparison("total_spend", .greater, number: 1)),
          "rule.tier"
        ),
        (
          Self.rule("vip", priority: -1, Self.comparison("total_spend", .greater, number: 1)),
          "rule.priority"
        ),
        (
          Self.rule("vip", priority: 1, Self.comparison("total_spend", .greater, text: "lots")),
          "rule.condition.comparison.number_value"
        ),
        (
          Self.rule("vip", priority: 1, Self.comparison("tags", .equal, text: "vip")),
          "rule.condition.comparison.operator"
        ),
        (
          Self.rule("vip", priority: 1, .with { $0.all = .init() }),
          "rule.condition.all.conditions"
        ),
      ]
      for (rule, field) in cases {
        await expectRPCError(.invalidArgument, field: field) {
          _ = try await harness.client.createTierRule(.with { $0.rule = rule })
        }
      }
      // Nothing was saved
      let saved = try await harness.client.listTierRules(.init()).rules
      #expect(saved.count == 6)
      await expectRPCError(.invalidArgument, field: "rules[0].condition") {
        _ = try await harness.client.dryRunTierRules(
          .with { $0.rules = [Self.rule("vip", priority: 1, .init())] })
      }
    }
  }

  @Test("a changed rule set re-tiers every profile in the background, with progress")
  func retierInTheBackground() async throws {
    try await SegmentationHarness.run { harness in
      // Given five profiles, two tagged vip
      var ids: [String] = []
      for index in 0..<5 {
        ids.append(try await harness.createCustomer("C\(index)", tags: index < 2 ? ["vip"] : []))
      }

      // When the operator adds a top-priority vip rule
      let created = try await harness.client.createTierRule(
        .with {
          $0.rule = Self.rule("vip", priority: 1, Self.comparison("tags", .contains, text: "vip"))
        })
      #expect(!created.rule.ruleID.isEmpty)

      // Then the background job re-tiers all five, two of them to vip
      let job = try await harness.finish(job: created.retierJobID)
      #expect(job.state == .done && job.done == 5 && job.total == 5 && job.changed == 2)
      for (index, id) in ids.enumerated() {
        #expect(try await harness.get(id).tier == (index < 2 ? "vip" : "ordinary"))
      }
      let changes = try await harness.client.listProfileHistory(.with { $0.customerID = ids[0] })
      #expect(changes.changes.last?.cause == "tier_rules")

      // When the rule is updated to a tag nobody has, the vips go back
      var rule = created.rule
      rule.condition = Self.comparison("tags", .contains, text: "nobody")
      let updated = try await harness.client.updateTierRule(.with { $0.rule = rule })
      #expect(try await harness.finish(job: updated.retierJobID).changed == 2)
      #expect(try await harness.get(ids[0]).tier == "ordinary")

      // Deleting it works once; unknown rules and jobs are NOT_FOUND
      let deleted = try await harness.client.deleteTierRule(.with { $0.ruleID = rule.ruleID })
      _ = try await harness.finish(job: deleted.retierJobID)
      await expectRPCError(.notFound) {
        _ = try await harness.client.deleteTierRule(.with { $0.ruleID = rule.ruleID })
      }
      await expectRPCError(.notFound) {
        _ = try await harness.client.updateTierRule(.with { $0.rule = rule })
      }
      await expectRPCError(.notFound) {
        _ = try await harness.client.getRetierJob(.with { $0.jobID = "nope" })
      }
    }
  }

  @Test("a dry run gives the counts and a sample of changes without writing")
  func dryRun() async throws {
    try await SegmentationHarness.run { harness in
      let big = try await harness.createCustomer("Big")
      try await harness.record(harness.purchase("o-1", customer: big, amount: 6_000_000))
      let small = try await harness.createCustomer("Small")
      #expect(try await harness.get(big).tier == "high_value")

      let candidate = [
        Self.rule("whale", priority: 1, Self.comparison("total_spend", .greaterOrEqual, number: 1_000_000)),
        Self.rule("minnow", priority: 2, Self.comparison("purchase_count", .greaterOrEqual, number: 0)),
      ]
      let result = try await harness.client.dryRunTierRules(.with { $0.rules = candidate })
      #expect(result.tierCounts.map { "\($0.tier)=\($0.customers)" } == ["minnow=1", "whale=1"])
      #expect(result.changedCustomers == 2)
      #expect(Set(result.sample.map(\.customerID)) == [big, small])
      #expect(result.sample.first { $0.customerID == big }?.candidateTier == "whale")

      // Nothing was written
      #expect(try await harness.get(big).tier == "high_value")
      #expect(try await harness.client.listTierRules(.init()).rules.count == 6)
    }
  }
}
