import ArgumentParser

/// The options every `measure` command shares: the running service, where its figures go and
/// the size of a latency sample.
struct MeasureOptions: ParsableArguments {
  @Option(help: "The running service, host:port.")
  var addr: String

  @Option(help: "Write the figures as JSON to this file.")
  var out: String?

  @Option(help: "Calls per latency sample.")
  var calls = 2_000
}
