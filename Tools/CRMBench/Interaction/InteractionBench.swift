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

/// A day or an instant on the command line: `2026-11-25` (midnight UTC) or a full ISO 8601 time.
func parseBenchTime(_ text: String, option: String) throws -> Date {
  let full = ISO8601DateFormatter()
  if let date = full.date(from: text) { return date }
  let day = ISO8601DateFormatter()
  day.formatOptions = [.withFullDate]
  if let date = day.date(from: text) { return date }
  throw ValidationError("\(option) must be a day (2026-11-25) or an ISO 8601 time, not \(text)")
}
