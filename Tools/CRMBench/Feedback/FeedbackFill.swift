import ArgumentParser
import Feedback
import Foundation
import ServiceKit

/// `crm-bench feedback fill`: writes `<data-dir>/feedback.sqlite` through the service's own
/// migrations with `FeedbackBulkFill` (the service must not be running).
struct FeedbackFill: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "fill",
    abstract: "Fill feedback.sqlite with tickets, their clocks and histories, CSAT and issues.")

  @Option(help: "The directory of feedback.sqlite.") var dataDir: String
  @Option(help: "Tickets to write.") var tickets = 1_000_000
  @Option(help: "Customers the tickets come from (bulk ids).") var customers = 300_000
  @Option(help: "Agents owning tickets (agent-0000...).") var agents = 200
  @Option(help: "Teams the agents belong to (team-00...).") var teams = 20
  @Option(help: "Operator issues tickets are linked to.") var issues = 40
  @Option(help: "Share of tickets in the open backlog.") var openShare = 0.03
  @Option(help: "Share of resolved tickets with a CSAT answer.") var csatShare = 0.3
  @Option(help: "The store's now (ISO 8601 date or time); default: now.") var asOf: String?
  @Option(help: "Generator seed (measure needs the same).") var seed: UInt64 = 1

  func run() async throws {
    var options = FeedbackBulkFill.Options()
    options.tickets = tickets
    options.customers = customers
    options.agents = agents
    options.teams = teams
    options.issues = issues
    options.openShare = openShare
    options.csatShare = csatShare
    options.seed = seed
    options.customerID = { BulkIDs.customer($0) }
    if let asOf { options.asOf = try Self.date(asOf) }
    let summary = try Self.fill(
      path: URL(fileURLWithPath: dataDir).appendingPathComponent("feedback.sqlite").path,
      options: options)
    let statuses = summary.byStatus.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }
      .joined(separator: ", ")
    print(
      "feedback fill: \(summary.rows) rows (\(summary.tickets) tickets, \(summary.events) events, "
        + "\(summary.clocks) clocks of which \(summary.openClocks) open, \(summary.csatAnswers) CSAT, "
        + "\(summary.issueLinks) issue links; by status \(statuses)) in "
        + String(format: "%.1f s", summary.seconds))
  }

  /// Fills synchronously: GRDB's blocking writes, one transaction after another.
  static func fill(path: String, options: FeedbackBulkFill.Options) throws
    -> FeedbackBulkFill.Summary
  {
    let pool = try StoreOpener.openPool(path: path, migrator: FeedbackStore.migrator)
    // A large page cache: the ticket and event indexes take random inserts.
    try pool.writeWithoutTransaction { try $0.execute(sql: "PRAGMA cache_size = -262144") }
    let summary = try FeedbackBulkFill(options: options).fill(pool) { line in
      FileHandle.standardError.write(Data((line + "\n").utf8))
    }
    try pool.close()
    return summary
  }

  static func date(_ text: String) throws -> Date {
    let formatter = ISO8601DateFormatter()
    if let date = formatter.date(from: text) { return date }
    formatter.formatOptions = [.withFullDate]
    if let date = formatter.date(from: text) { return date }
    throw ValidationError("--as-of must be an ISO 8601 date or time, not \(text)")
  }
}
