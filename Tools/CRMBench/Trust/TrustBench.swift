import ArgumentParser

/// `crm-bench trust`: a million reviews over ten thousand products, and the reads a shop page
/// makes of them (a product's first page of reviews in each order and filter, its summary).
struct TrustBench: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "trust", abstract: "Fill and measure the trust service (reviews at scale).",
    subcommands: [TrustFillCommand.self, TrustMeasureCommand.self])
}
