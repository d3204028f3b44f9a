import ArgumentParser

/// `crm-bench feedback`: a store of a million tickets with their clocks and histories, and the
/// timings of the minute's breach scan, hot-issue ranking, a ticket's history and an owner's
/// queue against a running feedback-service.
struct FeedbackBench: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "feedback",
    abstract: "Fill and measure the feedback service.",
    subcommands: [FeedbackFill.self, FeedbackMeasure.self])
}
