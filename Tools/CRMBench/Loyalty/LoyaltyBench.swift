import ArgumentParser

/// `crm-bench loyalty`: fill and measure (being written).
struct LoyaltyBench: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "loyalty", abstract: "Fill and measure the loyalty service (being written).")
}
