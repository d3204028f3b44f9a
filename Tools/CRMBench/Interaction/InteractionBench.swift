import ArgumentParser

/// `crm-bench interaction`: fill and measure (being written).
struct InteractionBench: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "interaction", abstract: "Fill and measure the interaction service (being written).")
}
