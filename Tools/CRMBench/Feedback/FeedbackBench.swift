import ArgumentParser

/// `crm-bench feedback`: fill and measure (being written).
struct FeedbackBench: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "feedback", abstract: "Fill and measure the feedback service (being written).")
}
