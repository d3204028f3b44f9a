import ArgumentParser
import Foundation

/// `crm-bench interaction`: fill a store with 10M interactions and 1M open tasks, and measure
/// due lists, timelines and the daily birthday scan against the running service.
struct InteractionBench: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "interaction",
    abstract: "Fill and measure the interaction service (due lists, timelines, birthday scan).",
    subcommands: [InteractionFillCommand.self, InteractionMeasureCommand.self])
}
