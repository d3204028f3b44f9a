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

  @OptionGroup var store: FillOptions
  @Option(help: "Tickets to write.") var tickets = 1_000_000
  @Option(help: "Customers the tickets come from (bulk ids).") var customers = 300_000
  @Option(help: "Agents owning tickets (agent-0000...).") var agents = 200
  @Option(help: "Teams the agents belong to (team-00...).") var teams = 20
  @Option(help: "Operator issues tickets are linked to.") var issues = 40
  @Option(help: "Share of tickets in the open backlog.") var openShare = 0.03
  @Option(help: "Share of resolved tickets with a CSAT answer.") var csatShare = 0.3

  func run() async throws {
    var options = FeedbackBulkFill.Options()
    options.tickets = tickets
    options.customers = customers
    options.agents = agents
    options.teams = teams
    options.issues = issues
    options.openShare = openShare
    options.csatShare = csatShare
    options.seed = store.seed
    options.customerID = { BulkIDs.customer($0) }
    if store.asOf != nil { options.asOf = try store.asOfDate() }
    let summary = try Self.fill(store: store, options: options)
    let statuses = summary.byStatus.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }
      .joined(separator: ", ")
    print(
      "feedback fill: \(summary.rows) rows (\(summary.tickets) tickets, \(summary.events) events, "
        + "\(summary.clocks) clocks of which \(summary.openClocks) open, \(summary.csatAnswers) CSAT, "
        + "\(summary.issueLinks) issue links; by status \(statuses)) in "
        + String(format: "%.1f s", summary.seconds))
  }

  /// Fills synchronously: GRDB's blocking writes, one transaction after another.
  static func fill(store: FillOptions, options: FeedbackBulkFill.Options) throws
    -> FeedbackBulkFill.Summary
  {
    // A large page cache: the ticket and event indexes take random inserts.
    let pool = try store.openStore(
      "feedback.sqlite", migrator: FeedbackStore.migrator, largeCache: true)
    let summary = try FeedbackBulkFill(options: options).fill(pool, progress: reportFillProgress)
    try pool.close()
    return summary
  }
}
