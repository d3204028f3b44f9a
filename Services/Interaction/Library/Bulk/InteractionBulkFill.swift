import Foundation
import GRDB
import ServiceKit

/// Writes a large interaction store straight into SQLite for the scale benchmark
/// (`crm-bench interaction fill`): customers' local copies and dates, opt-outs, years of logged
/// interactions, and open care tasks with their moments.
///
/// Everything is written the way the service writes it, so the service reads the store as its
/// own: customer copies as the event sink and the segmentation reads keep them, dates as
/// SetCustomerDates stores them, interactions as LogInteraction inserts them (threads that move
/// between channels included), and moments with their tasks through the service's own
/// ``MomentPlanner``, so care plans, caps, quiet hours and opt-outs place every task exactly as
/// in production; the tasks due more than ``overdueBacklog`` before `asOf` were completed (as
/// CompleteTask leaves them), the rest are the open backlog. Birthdays and anniversaries of the
/// ``greetedDays`` before `asOf` already have the moments the daily scan created; the day of
/// `asOf` and the days before the window are left to the scan (RunDateScan with scan_time).
///
/// Not written: the idempotency ledger and the outbox (the activity events of the history
/// were delivered long ago; nothing the benchmark reads looks at them).
///
/// The store must be empty (freshly migrated). Rows go in transactions of about
/// ``rowsPerTransaction`` with prepared statements; the one index whose order differs from the
/// insertion order (interactions by time) is built once at the end. A fill that fails leaves
/// a store to delete, not to use.
public enum InteractionBulkFill {
  /// What to write.
  public struct Plan: Sendable {
    /// Customers 0..<customers, named by `customerID`.
    public var customers: Int
    /// Logged interactions over the two years before `asOf`, more for the first customers.
    public var interactions: Int
    /// Open care tasks, due around `asOf` (those due before it are overdue); the greetings of
    /// the last customers may add a few more.
    public var openTasks: Int
    /// Account managers (`manager-000`...), each the manager of about customers/managers.
    public var managers: Int
    /// The fill's "now".
    public var asOf: Date
    /// Same seed, same store.
    public var seed: UInt64
    /// The id of customer n (the bench's `bulk-0000000`...).
    public var customerID: @Sendable (Int) -> String

    /// A plan; `customerID` defaults to the suite's bulk ids.
    public init(
      customers: Int, interactions: Int, openTasks: Int, managers: Int = 200, asOf: Date, seed: UInt64 = 1,
      customerID: @escaping @Sendable (Int) -> String = BulkIDs.customer
    ) {
      self.customers = customers
      self.interactions = interactions
      self.openTasks = openTasks
      self.managers = max(1, managers)
      self.asOf = asOf
      self.seed = seed
      self.customerID = customerID
    }
  }

  /// What a fill wrote.
  public struct Counts: Sendable, Equatable {
    /// Customer copies written.
    public var customers = 0
    /// Birthdays and anniversaries.
    public var customerDates = 0
    /// Opt-outs of one channel.
    public var optOuts = 0
    /// Logged interactions.
    public var interactions = 0
    /// Moments (birthday and anniversary ones of the recent days included).
    public var moments = 0
    /// Tasks open after the fill.
    public var openTasks = 0
    /// Open tasks due before `asOf`.
    public var overdueTasks = 0
    /// Tasks suppressed by an opt-out (written, not open).
    public var suppressedTasks = 0
    /// Tasks completed before `asOf`.
    public var doneTasks = 0
  }

  /// About this many rows go into one transaction.
  public static let rowsPerTransaction = 50_000

  /// Days before `asOf` whose birthdays and anniversaries already have their moments.
  public static let greetedDays = 14


  /// The name of account manager `n`.
  public static func managerName(_ n: Int) -> String {
    let digits = String(n)
    return "manager-" + (digits.count >= 3 ? digits : String(repeating: "0", count: 3 - digits.count) + digits)
  }

  /// The owners of role-owned care steps in the default plans: each is one shared queue.
  public static let roleOwners = ["care_team", "marketing", "service_team"]

  /// How many interactions customer `n` has: a cumulative square-root curve, so a few early
  /// customers have long histories (customer 0 about interactions/sqrt(customers)), most
  /// have a handful, and the counts add up exactly to `plan.interactions`.
  public static func interactionCount(ofCustomer n: Int, plan: Plan) -> Int {
    func cumulative(_ k: Int) -> Int {
      k >= plan.customers ? plan.interactions : Int((Double(plan.interactions) * (Double(k) / Double(plan.customers)).squareRoot()).rounded(.down))
    }
    return cumulative(n + 1) - cumulative(n)
  }

  /// Fills the empty, migrated store behind `database`; `progress` gets a line now and then.
  public static func fill(
    into database: any DatabaseWriter, plan: Plan, progress: (String) -> Void = { _ in }
  ) throws -> Counts {
    guard plan.customers > 0, plan.interactions >= 0, plan.openTasks >= 0 else {
      throw BulkFillError("customers must be positive and the other counts not negative")
    }
    let deferredIndexes = try database.write { db -> [String] in
      for table in ["customer_copy", "customer_date", "interaction", "care_task", "moment"] {
        if try Int.fetchOne(db, sql: "SELECT count(*) FROM (SELECT 1 FROM \(table) LIMIT 1)") != 0 {
          throw BulkFillError("the store is not empty (\(table) has rows): fill a new data directory")
        }
      }
      return try deferIndexes(db, names: ["interaction_by_time"])
    }
    let started = Date()
    var counts = Counts()
    var tasks = TaskBudget(remaining: plan.openTasks, customersLeft: plan.customers)
    let window = GreetingWindow(asOf: plan.asOf, days: greetedDays)
    var next = 0
    var reported = 0
    while next < plan.customers {
      try database.write { db in
        var rows = 0
        while next < plan.customers && rows < rowsPerTransaction {
          let customer = BulkCustomer(n: next, plan: plan)
          rows += try writeCustomer(db, customer, plan: plan, counts: &counts)
          rows += try writeInteractions(db, of: customer, plan: plan, counts: &counts)
          rows += try writeMoments(db, of: customer, plan: plan, window: window, budget: &tasks, counts: &counts)
          next += 1
        }
      }
      if next - reported >= max(1, plan.customers / 20) || next == plan.customers {
        reported = next
        progress(
          "interaction fill: \(next)/\(plan.customers) customers, \(counts.interactions) interactions, "
            + "\(counts.openTasks) open tasks, \(Int(Date().timeIntervalSince(started))) s")
      }
    }
    if !deferredIndexes.isEmpty {
      progress("interaction fill: building \(deferredIndexes.count) index(es) over \(counts.interactions) interactions")
      try database.write { db in
        for sql in deferredIndexes { try db.execute(sql: sql) }
      }
    }
    return counts
  }

  /// Drops the named indexes and returns the SQL that recreates them exactly.
  private static func deferIndexes(_ db: Database, names: [String]) throws -> [String] {
    var recreate: [String] = []
    for name in names {
      guard let sql = try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?", arguments: [name])
      else { continue }
      try db.execute(sql: "DROP INDEX \(name)")
      recreate.append(sql)
    }
    return recreate
  }
}

/// Why a bulk fill refused to run.
public struct BulkFillError: Error, CustomStringConvertible {
  /// What is wrong.
  public var description: String

  init(_ description: String) { self.description = description }
}
