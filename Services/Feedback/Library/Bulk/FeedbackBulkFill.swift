import Contracts
import Foundation
import GRDB
import ServiceKit

/// Writes a large feedback store straight into SQLite, row for row what the service's RPCs and
/// its minute's SLA scan would have written over two years: tickets, their clock runs and
/// histories, CSAT answers, operator issues and their links.
///
/// Each ticket is planned as the calls that made it (`plan(_:catalog:)`) and played through the
/// service's lifecycle and clock rules (`BulkTicketTimeline`), so the service reads the store as
/// its own. The outbox is left empty: the other services' stores get their own bulk fills, and
/// delivered outbox rows are read by nothing but the outbox status counts. The store must be
/// empty of tickets and have no escalation rules (a fresh store has none).
public struct FeedbackBulkFill: Sendable {
  /// How much to write and over what time.
  public struct Options: Sendable {
    public var tickets = 1_000_000
    public var customers = 300_000
    public var agents = 200
    public var teams = 20
    public var issues = 40
    /// The share of tickets in the open backlog (acknowledged, in progress, waiting).
    public var openShare = 0.03
    /// The share of resolved tickets whose customer answered the CSAT survey.
    public var csatShare = 0.3
    /// Tickets are created over this many years before `asOf`.
    public var years = 2.0
    /// The store's "now": nothing happens after it.
    public var asOf = Date()
    public var seed: UInt64 = 1
    /// The id of customer `n` (the suite's bulk ids).
    public var customerID: @Sendable (Int) -> String = BulkIDs.customer
    /// Tickets per write transaction.
    public var ticketsPerTransaction = 5_000

    /// Options with the defaults.
    public init() {}

    var asOfSeconds: Int64 { Int64(asOf.timeIntervalSince1970.rounded(.down)) }
  }

  /// What a fill wrote.
  public struct Summary: Sendable {
    public var tickets = 0
    public var events = 0
    public var clocks = 0
    /// Running or paused clock runs left at `asOf`.
    public var openClocks = 0
    public var csatAnswers = 0
    public var issueLinks = 0
    /// Tickets by status raw value.
    public var byStatus: [Int: Int] = [:]
    public var seconds = 0.0

    /// Every row written.
    public var rows: Int { tickets + events + clocks + csatAnswers + issueLinks }
  }

  public let options: Options

  /// A fill with `options`.
  public init(options: Options) { self.options = options }

  /// The id of bulk ticket `n`: a UUID in the service's form, derived from the seed, so
  /// `measure` finds tickets without listing them.
  public static func ticketID(_ n: Int, seed: UInt64) -> String {
    var random = SplitMix64(seed: seed ^ (UInt64(n) &* 0x9E37_79B9_7F4A_7C15))
    let high = random.next()
    let low = random.next()
    let hex = String(high, radix: 16).leftPadded(16) + String(low, radix: 16).leftPadded(16)
    let c = Array(hex)
    // Version 4, variant 10xx, like UUID().
    let variant = String(Array("89ab")[Int(low >> 62)])
    return String(c[0..<8]) + "-" + String(c[8..<12]) + "-4" + String(c[13..<16]) + "-"
      + variant + String(c[17..<20]) + "-" + String(c[20..<32])
  }

  /// The id of agent `n`.
  public static func agentID(_ n: Int) -> String { "agent-" + BulkIDs.padded(n, 4) }
  /// The id of team `n`.
  public static func teamID(_ n: Int) -> String { "team-" + BulkIDs.padded(n, 2) }


  /// The store's category tree and policies, and the fill's issues.
  public func catalog(_ db: Database) throws -> Catalog {
    Catalog(
      categories: try String.fetchAll(db, sql: "SELECT path FROM category ORDER BY path"),
      policies: try SLAPolicyRecord.order(SLAPolicyRecord.Columns.rank).fetchAll(db),
      options: options)
  }

  /// Fills `writer` in transactions of `ticketsPerTransaction` tickets, calling `progress`
  /// after each.
  public func fill(_ writer: any DatabaseWriter, progress: (String) -> Void = { _ in }) throws
    -> Summary
  {
    let started = Date()
    let catalog = try writer.write { db in
      let tickets = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM ticket") ?? 0
      guard tickets == 0 else { throw BulkFillError.notEmpty(tickets) }
      guard try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM escalation_rule") == 0 else {
        throw BulkFillError.escalationRulesPresent
      }
      let catalog = try self.catalog(db)
      for issue in catalog.issues {
        try IssueRecord(
          id: issue.id, title: issue.title, category: issue.category,
          createdAt: BulkTicketTimeline.date(issue.createdAt)
        ).insert(db)
      }
      return catalog
    }
    var summary = Summary()
    let scanPhase = Int64(options.seed % 60)
    var next = 0
    while next < options.tickets {
      let end = min(next + options.ticketsPerTransaction, options.tickets)
      try writer.write { db in
        let rows = try BulkRowWriter(db)
        for n in next..<end {
          let plan = plan(n, catalog: catalog)
          let timeline = try BulkTicketTimeline(
            ticketID: plan.ticketID, plan: plan.steps, policies: catalog.policies,
            scanPhase: scanPhase, asOf: options.asOfSeconds)
          try rows.write(timeline, into: &summary)
        }
      }
      next = end
      progress(
        "feedback fill: \(next)/\(options.tickets) tickets, \(summary.rows) rows, "
          + String(format: "%.1f s", Date().timeIntervalSince(started)))
    }
    try writer.writeWithoutTransaction { db in try db.execute(sql: "ANALYZE") }
    summary.seconds = Date().timeIntervalSince(started)
    return summary
  }
}

extension String {
  fileprivate func leftPadded(_ width: Int) -> String {
    count >= width ? self : String(repeating: "0", count: width - count) + self
  }
}
