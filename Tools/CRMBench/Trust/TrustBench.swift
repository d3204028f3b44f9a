import ArgumentParser

/// `crm-bench trust`: fill and measure (being written).
struct TrustBench: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "trust", abstract: "Fill and measure the trust service (being written).")
}
