import Contracts
import Foundation
import GRPCCore
import Segmentation
import ServiceKit
import ServiceKitTesting
import Testing

@Suite("Segmentation: automatic tag rules")
struct TagRuleTests {
  static let bigSpender = Crm_Segmentation_V1_TagRule.with {
    $0.tag = "big_spender"
    $0.condition = .with {
      $0.comparison = .with {
        $0.attribute = "total_spend"
        $0.operator = .greaterOrEqual
        $0.numberValue = 10_000
      }
    }
  }

  @Test("a tag rule tags the profiles it holds for, now and on every later change")
  func tagsKeptCurrent() async throws {
    try await SegmentationHarness.run { harness in
      // Given one customer who already spent enough, and one who did not
      let rich = try await harness.createCustomer("Rich", tags: ["vip"])
      try await harness.record(harness.purchase("o-1", customer: rich, amount: 20_000))
      let poor = try await harness.createCustomer("Poor")

      // When the rule is created, then the background pass tags the one it holds for
      let created = try await harness.client.createTagRule(.with { $0.rule = Self.bigSpender })
      _ = try await harness.finish(job: created.retierJobID)
      #expect(try await harness.get(rich).tags == ["big_spender", "vip"])
      #expect(try await harness.get(poor).tags == [])
      #expect(try await harness.client.listTagRules(.init()).rules.map(\.tag) == ["big_spender"])

      // When the other customer buys enough, the tag comes with the purchase
      let bought = try await harness.record(harness.purchase("o-2", customer: poor, amount: 15_000))
      #expect(bought.customer.tags == ["big_spender"])
      // and goes with a refund that takes them below
      let refunded = try await harness.refund("r-1", order: "o-2", amount: 10_000)
      #expect(refunded.customer.tags == [])

      // Replacing the manual tags keeps the automatic one
      let updated = try await harness.client.updateCustomer(
        .with {
          $0.customer = .with {
            $0.customerID = rich
            $0.tags = ["parenting"]
          }
          $0.updateMask = .with { $0.paths = ["tags"] }
        })
      #expect(updated.customer.tags == ["big_spender", "parenting"])

      // When the rule is deleted, the tag leaves in the background
      let deleted = try await harness.client.deleteTagRule(.with { $0.ruleID = created.rule.ruleID })
      _ = try await harness.finish(job: deleted.retierJobID)
      #expect(try await harness.get(rich).tags == ["parenting"])
      await expectRPCError(.notFound) {
        _ = try await harness.client.deleteTagRule(.with { $0.ruleID = created.rule.ruleID })
      }
    }
  }

  @Test("a tag rule is validated like a tier rule")
  func validation() async throws {
    try await SegmentationHarness.run { harness in
      var rule = Self.bigSpender
      rule.condition = .with {
        $0.any = .with {
          $0.conditions = [.with { $0.not = .with { $0.comparison = .with { $0.attribute = "x" } } }]
        }
      }
      await expectRPCError(.invalidArgument, field: "rule.condition.any.conditions[0].not.comparison.operator") {
        _ = try await harness.client.createTagRule(.with { $0.rule = rule })
      }
      rule = Self.bigSpender
      rule.tag = ""
      await expectRPCError(.invalidArgument, field: "rule.tag") {
        _ = try await harness.client.createTagRule(.with { $0.rule = rule })
      }
    }
  }
}
