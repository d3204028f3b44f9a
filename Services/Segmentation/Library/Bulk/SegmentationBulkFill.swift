import Contracts
import Foundation
import GRDB

/// Fills an empty segmentation store with made-up customers and their purchases straight
/// into its tables, as the service would have written them had every purchase come through
/// RecordPurchase when it was made and the lifecycle scan run at every stage deadline up to
/// `asOf`: the figures, stage, tier, tags, category spend and history of each profile are
/// computed in memory by the service's own rules (``BulkProfileTimeline``), then written in
/// large transactions with prepared statements.
///
/// Not written: the outbox events the writes would have sent (the other services' stores are
/// filled by their own bulk fills) and refunds.
public struct SegmentationBulkFill: Sendable {
  /// What to write.
  public struct Plan: Sendable {
    /// Profiles to create.
    public var customers: Int
    /// Orders, spread over the customers and over the two years before `asOf`.
    public var purchases: Int
    /// Size of the product catalogue the orders draw from.
    public var products: Int
    /// The moment the store describes (rounded down to the second).
    public var asOf: Date
    /// The random seed: the same plan and seed write the same store.
    public var seed: UInt64
    /// The id of customer `n` (0-based).
    public var customerID: @Sendable (Int) -> String
    /// The id of product `n` (0-based).
    public var productID: @Sendable (Int) -> String
    /// Customers written per transaction.
    public var customersPerTransaction = 2_000

    /// A plan of `customers` profiles and `purchases` orders as of `asOf`.
    public init(
      customers: Int, purchases: Int, products: Int = 5_000, asOf: Date, seed: UInt64 = 1,
      customerID: @escaping @Sendable (Int) -> String,
      productID: @escaping @Sendable (Int) -> String
    ) {
      self.customers = customers
      self.purchases = purchases
      self.products = products
      self.asOf = Date(timeIntervalSince1970: asOf.timeIntervalSince1970.rounded(.down))
      self.seed = seed
      self.customerID = customerID
      self.productID = productID
    }
  }

  /// What a fill wrote.
  public struct Summary: Sendable {
    public var customers = 0
    public var purchases = 0
    public var purchaseItems = 0
    public var identities = 0
    public var tags = 0
    public var historyRows = 0
    /// All rows written.
    public var rows: Int { customers + purchases + purchaseItems + identities + tags + historyRows }
  }

  /// The fill failed before writing anything.
  public struct NotEmpty: Error, CustomStringConvertible {
    public var customers: Int
    public var description: String {
      "the store already holds \(customers) customers; bulk fill writes only into an empty store"
    }
  }

  public let plan: Plan
  /// The lifecycle windows the service runs with.
  public let policy: LifecyclePolicy

  /// A fill of `plan` for a service with `policy`.
  public init(plan: Plan, policy: LifecyclePolicy = LifecyclePolicy()) {
    self.plan = plan
    self.policy = policy
  }

  /// Writes the plan into `database` (migrated, empty, the service not running), calling
  /// `progress` with a line after each transaction.
  public func run(
    database: any DatabaseWriter, progress: @escaping @Sendable (String) -> Void = { _ in }
  ) async throws -> Summary {
    let existing = try await database.read { try CustomerRecord.fetchCount($0) }
    if existing > 0 { throw NotEmpty(customers: existing) }
    // The job the default rules started over the (empty) store, finished as the service's
    // worker would on its first start, so the service does not re-tier the filled store.
    for _ in 0..<1_000 {
      guard
        try await RetierJobs.step(database: database, now: plan.asOf, policy: policy, batchSize: 500)
      else { break }
    }
    let (rules, tagRules) = try await database.read { db in
      (try TierRuleSet.load(db), try AutoTags.load(db))
    }
    let counts = BulkCustomerModel.purchaseCounts(
      customers: plan.customers, total: plan.purchases, seed: plan.seed)
    let model = BulkCustomerModel(
      seed: plan.seed, asOf: plan.asOf, products: plan.products, customerID: plan.customerID,
      productID: plan.productID)
    let plan = self.plan
    let policy = self.policy
    let started = ContinuousClock.now

    let summary = try await database.writeWithoutTransaction { db in
      // The rows are consistent by construction; checking each reference would only slow the
      // fill. Both are restored before returning.
      try db.execute(sql: "PRAGMA foreign_keys = OFF")
      let synchronous = try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? 2
      try db.execute(sql: "PRAGMA synchronous = OFF")
      defer {
        try? db.execute(sql: "PRAGMA foreign_keys = ON")
        try? db.execute(sql: "PRAGMA synchronous = \(synchronous)")
      }
      let writer = try BulkRowWriter(db)
      var timeline = BulkProfileTimeline(
        rules: rules, tagRules: tagRules, policy: policy, asOf: plan.asOf)
      var summary = Summary()
      var nextOrder = 0
      var n = 0
      while n < plan.customers {
        let end = min(plan.customers, n + plan.customersPerTransaction)
        try db.inTransaction {
          for index in n..<end {
            let customer = model.customer(
              index, purchaseCount: Int(counts[index]), firstOrder: nextOrder)
            nextOrder += customer.purchases.count
            try writer.write(customer, timeline: &timeline, summary: &summary)
          }
          return .commit
        }
        n = end
        let seconds = Double((ContinuousClock.now - started).components.seconds)
        progress(
          "segmentation fill: \(n)/\(plan.customers) customers, \(summary.purchases) purchases, "
            + "\(summary.rows) rows, \(Int(seconds)) s")
      }
      return summary
    }
    // What the lifecycle scan at `asOf` ends with.
    try await database.write { db in try RFMScores.recompute(db) }
    try await database.writeWithoutTransaction { db in
      try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
    }
    return summary
  }
}
