import Benchmark

/// The suite the benchmark plugin runs (Benchmarks/HOTPATHS.md): one group per hot path.
let benchmarks: @Sendable () -> Void = {
  Benchmark.defaultConfiguration = HotPathsConfiguration.standard
  RuleEvaluationBenchmarks.register()
  LedgerAppendBenchmarks.register()
  ProtobufBenchmarks.register()
}
