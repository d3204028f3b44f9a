import ArgumentParser

/// `crm-bench loyalty`: a million accounts and twenty million ledger entries, and what the
/// service does with them.
struct LoyaltyBench: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "loyalty",
    abstract: "Fill and measure the loyalty service.",
    subcommands: [LoyaltyFill.self, LoyaltyMeasure.self])
}
