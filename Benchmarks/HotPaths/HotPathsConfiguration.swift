import Benchmark

/// What every hot-path benchmark measures, and for how long.
enum HotPathsConfiguration {
  /// Wall clock and throughput for speed, malloc calls and bytes (from the interposer) for
  /// allocation; two seconds of samples each, after a few warm-up iterations. (CPU time is
  /// left out: Linux reports it in 10 ms steps, coarser than most of these operations.)
  static var metrics: [BenchmarkMetric] {
    [.wallClock, .throughput, .mallocCountTotal, .mallocBytesCount]
  }

  /// One operation per sample.
  static var standard: Benchmark.Configuration {
    .init(metrics: metrics, warmupIterations: 10, maxDuration: .seconds(2), maxIterations: 100_000)
  }

  /// The same, with `factor` operations per sample (for operations of a few microseconds, so
  /// the clock's own cost and resolution stay out of the figure); figures are per operation.
  static func scaled(_ factor: BenchmarkScalingFactor) -> Benchmark.Configuration {
    var configuration = standard
    configuration.scalingFactor = factor
    return configuration
  }
}
