import Benchmark
import Contracts
import Segmentation

/// Tier and tag rule evaluation over profile facts: what the re-tier job and the dry run do
/// for every profile, and what each purchase or activity does for one.
enum RuleEvaluationBenchmarks {
  static func register() {
    let fixture = SegmentationFixture()
    let setup: Benchmark.BenchmarkSetupHook = { try await fixture.prepare() }

    // The profile for which the most rules are tried before one holds (the default rules end
    // with a catch-all, so that is the one decided by the last rule).
    Benchmark(
      "Rules: default tier rules, one profile (all 6 rules tried)",
      configuration: HotPathsConfiguration.scaled(.kilo),
      closure: { benchmark in
        let ruleSet = TierRuleSet(rules: fixture.rules)
        let facts = fixture.facts[fixture.profileTryingMostRules(ruleSet)]
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
          blackHole(ruleSet.decide(facts))
        }
      }, setup: setup)

    // Every profile of the filled store once per sample: the mix of tiers the fill produced.
    Benchmark(
      "Rules: default tier rules, 1,000 profiles (per profile)",
      configuration: HotPathsConfiguration.scaled(.kilo),
      closure: { benchmark in
        let ruleSet = TierRuleSet(rules: fixture.rules)
        let facts = fixture.facts
        benchmark.startMeasurement()
        for index in benchmark.scaledIterations {
          blackHole(ruleSet.decide(facts[index % facts.count]))
        }
      }, setup: setup)

    // What `AutoTags.wanted` does: each tag's rules in order until one holds.
    Benchmark(
      "Rules: 4 tag rules, 1,000 profiles (per profile)",
      configuration: HotPathsConfiguration.scaled(.kilo),
      closure: { benchmark in
        let rules = SampleTagRules.rules
        let facts = fixture.facts
        benchmark.startMeasurement()
        for index in benchmark.scaledIterations {
          let profile = facts[index % facts.count]
          var wanted: [String: String] = [:]
          for rule in rules
          where wanted[rule.tag] == nil && RuleCondition.matches(rule.condition, facts: profile) {
            wanted[rule.tag] = rule.ruleID
          }
          blackHole(wanted)
        }
      }, setup: setup)

    // The service path: DryRunTierRules reads every stored profile's facts in batches and
    // decides it, through the handler (no transport).
    Benchmark(
      "Rules: DryRunTierRules over 1,000 stored profiles",
      configuration: HotPathsConfiguration.standard,
      closure: { benchmark in
        guard let service = fixture.service else { return }
        let request = Crm_Segmentation_V1_DryRunTierRulesRequest.with { $0.rules = fixture.rules }
        let context = DirectCall.context(
          Crm_Segmentation_V1_SegmentationService.Method.DryRunTierRules.descriptor)
        benchmark.startMeasurement()
        blackHole(try await service.dryRunTierRules(request: request, context: context))
      }, setup: setup)
  }
}

extension SegmentationFixture {
  /// The index of the profile decided by the latest rule in evaluation order.
  func profileTryingMostRules(_ ruleSet: TierRuleSet) -> Int {
    let order = Dictionary(
      uniqueKeysWithValues: rules.sorted { ($0.priority, $0.ruleID) < ($1.priority, $1.ruleID) }
        .enumerated().map { ($1.ruleID, $0) })
    var best = (index: 0, position: -1)
    for (index, profileFacts) in facts.enumerated() {
      let position = order[ruleSet.decide(profileFacts).ruleID] ?? rules.count
      if position > best.position { best = (index, position) }
    }
    return best.index
  }
}
