import Contracts
import Foundation
import GRPCCore
import Segmentation
import ServiceKit
import ServiceKitTesting
import Testing

@Suite("Segmentation: tier strategies as data")
struct StrategyTests {
  @Test("each default tier carries the documents' strategy; the operator changes it")
  func strategies() async throws {
    try await SegmentationHarness.run { harness in
      let all = try await harness.client.listTierStrategies(.init()).strategies
      #expect(Set(all.map(\.tier)) == [
        "high_value_active", "dormant_high_value", "churn_risk", "high_value", "potential",
        "ordinary",
      ])
      let high = try await harness.client.getTierStrategy(.with { $0.tier = "high_value" }).strategy
      #expect(high.dedicatedManager && high.treatments.contains("tailored_solutions"))
      let churn = try await harness.client.getTierStrategy(.with { $0.tier = "churn_risk" }).strategy
      #expect(churn.treatments.contains("reason_survey") && churn.offers.contains("win_back_offer"))

      // When the operator adds a strategy for a new tier, it is served
      let vip = Crm_Segmentation_V1_TierStrategy.with {
        $0.tier = "vip"
        $0.summary = "white glove"
        $0.dedicatedManager = true
        $0.offers = ["gift"]
      }
      _ = try await harness.client.updateTierStrategy(.with { $0.strategy = vip })
      let read = try await harness.client.getTierStrategy(.with { $0.tier = "vip" }).strategy
      #expect(read.summary == "white glove" && read.offers == ["gift"] && read.hasUpdateTime)

      await expectRPCError(.notFound) {
        _ = try await harness.client.getTierStrategy(.with { $0.tier = "nobody" })
      }
      await expectRPCError(.invalidArgument, field: "strategy.offers[0]") {
        _ = try await harness.client.updateTierStrategy(.with {
          $0.strategy = .with {
            $0.tier = "vip"
            $0.offers = [""]
          }
        })
      }
      await expectRPCError(.invalidArgument, field: "strategy.tier") {
        _ = try await harness.client.updateTierStrategy(.with { $0.strategy = .with { $0.tier = "Bad Tier" } })
      }
    }
  }
}
