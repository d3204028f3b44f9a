import Contracts
import Foundation
import GRDB
import GRPCCore
import Logging
import ServiceKit
import ServiceLifecycle

/// Re-tiering every profile after the rules changed: a job row per change, worked through in
/// batches of short write transactions by ``RetierWorker`` so reads never wait long and other
/// writes wait at most one batch.
enum RetierJobs {
  typealias State = Crm_Segmentation_V1_RetierJob.State

  /// Starts a job over every live profile, superseding the running ones (the new job covers
  /// them); returns its id.
  static func start(_ db: Database, now: Date) throws -> String {
    try db.execute(
      sql: "UPDATE retier_job SET state = ?, finished_at = ? WHERE state = ?",
      arguments: [State.superseded.rawValue, now, State.running.rawValue])
    // Two index counts (all rows, and the merged ones from their partial index) instead of a
    // scan of every row inside the caller's write.
    let total =
      try CustomerRecord.fetchCount(db)
      - CustomerRecord.filter(CustomerRecord.Columns.mergedInto != nil).fetchCount(db)
    let job = RetierJobRecord(
      id: UUID().uuidString.lowercased(), state: State.running.rawValue, total: Int64(total),
      done: 0, changed: 0, cursor: "", createdAt: now, finishedAt: nil)
    try job.insert(db)
    return job.id
  }

  /// Starts a periodic re-tier when none is running and the newest job (of any cause) was
  /// created `interval` or more ago, or, with no job ever, `interval` after `since`; returns
  /// whether it started one. Tiers that compare time windows (recency, the last 12 months'
  /// spend) move with time alone, and only a re-tier brings a profile nobody writes up to date.
  static func startIfDue(
    database: any DatabaseWriter, now: Date, interval: TimeInterval, since: Date
  ) async throws -> Bool {
    // The worker asks every poll while idle: the question is a read, and only a due re-tier
    // takes the writer (asking again there, in case a job started in between).
    guard try await database.read({ try isDue($0, now: now, interval: interval, since: since) })
    else { return false }
    return try await database.write { db in
      guard try isDue(db, now: now, interval: interval, since: since) else { return false }
      _ = try start(db, now: now)
      return true
    }
  }

  /// No job is running and the newest began `interval` or more before `now` (or, with none,
  /// `interval` after `since`).
  private static func isDue(_ db: Database, now: Date, interval: TimeInterval, since: Date) throws -> Bool {
    let running = try RetierJobRecord.filter(RetierJobRecord.Columns.state == State.running.rawValue)
      .fetchCount(db)
    guard running == 0 else { return false }
    let newest = try Date.fetchOne(db, sql: "SELECT MAX(created_at) FROM retier_job")
    return now.timeIntervalSince(newest ?? since) >= interval
  }

  /// Re-tiers the next batch of the oldest running job; false when no job is running.
  static func step(
    database: any DatabaseWriter, now: Date, policy: LifecyclePolicy, batchSize: Int
  ) async throws -> Bool {
    try await database.write { db in
      guard
        var job = try RetierJobRecord.filter(RetierJobRecord.Columns.state == State.running.rawValue)
          .order(RetierJobRecord.Columns.createdAt).fetchOne(db)
      else { return false }
      let batch = try CustomerRecord
        .filter(CustomerRecord.Columns.id > job.cursor)
        .filter(CustomerRecord.Columns.mergedInto == nil)
        .order(CustomerRecord.Columns.id)
        .limit(batchSize)
        .fetchAll(db)
      let rules = try TierRuleSet.load(db)
      let tagRules = try AutoTags.load(db)
      // One read of the batch's tags and window figures, rather than three per profile.
      let known =
        try batch.first.map { first in
          try ProfileBatchFacts.read(db, first: first.id, last: batch[batch.count - 1].id, now: now)
        } ?? [:]
      for record in batch {
        let updated = try ProfileRefresh.apply(
          db, record: record, now: now, policy: policy, cause: "tier_rules", rules: rules,
          tagRules: tagRules, known: known[record.id] ?? ProfileBatchFacts.Inputs())
        if updated.tier != record.tier { job.changed += 1 }
      }
      job.done += Int64(batch.count)
      job.cursor = batch.last?.id ?? job.cursor
      if batch.count < batchSize {
        job.state = State.done.rawValue
        job.done = max(job.done, job.total)
        job.total = job.done
        job.finishedAt = now
      }
      try job.update(db)
      return true
    }
  }
}

/// Works through re-tier jobs in the background; idle, it looks for a new one every
/// `pollInterval`, and starts one itself every `refreshInterval` (see
/// ``RetierJobs/startIfDue(database:now:interval:since:)``).
public struct RetierWorker: Service {
  private let database: any DatabaseWriter
  private let clock: any WallClock
  private let policy: LifecyclePolicy
  private let logger: Logger
  private let pollInterval: Duration
  private let batchSize: Int
  private let refreshInterval: TimeInterval?

  /// A worker over `store`'s jobs; `refreshInterval` nil re-tiers only after rule changes.
  public init(
    store: SegmentationStore, clock: any WallClock, logger: Logger,
    policy: LifecyclePolicy = LifecyclePolicy(), pollInterval: Duration = .seconds(1),
    batchSize: Int = 2_000, refreshInterval: TimeInterval? = nil
  ) {
    precondition(refreshInterval.map { $0 > 0 } ?? true, "a refresh interval must be positive")
    database = store.database
    self.clock = clock
    self.policy = policy
    self.logger = logger
    self.pollInterval = pollInterval
    self.batchSize = batchSize
    self.refreshInterval = refreshInterval
  }

  public func run() async throws {
    let started = clock.now()
    while !Task.isCancelled && !Task.isShuttingDownGracefully {
      var worked = false
      do {
        worked = try await RetierJobs.step(
          database: database, now: clock.now(), policy: policy, batchSize: batchSize)
        if !worked, let refreshInterval,
          try await RetierJobs.startIfDue(
            database: database, now: clock.now(), interval: refreshInterval, since: started)
        {
          logger.info("periodic re-tier started", metadata: ["interval_hours": "\(refreshInterval / 3600)"])
          worked = true
        }
      } catch {
        logger.warning("re-tier batch failed", metadata: ["error": "\(error)"])
      }
      if worked { continue }
      do {
        try await cancelWhenGracefulShutdown { try await Task.sleep(for: pollInterval) }
      } catch {
        return
      }
    }
  }
}

extension SegmentationService {
  /// `GetRetierJob`: how a re-tier stands.
  public func getRetierJob(
    request: Crm_Segmentation_V1_GetRetierJobRequest,
    context: ServerContext
  ) async throws -> Crm_Segmentation_V1_GetRetierJobResponse {
    try FieldValidation.requireID(request.jobID, field: "job_id")
    return try await store.database.read { db in
      guard let job = try RetierJobRecord.fetchOne(db, key: request.jobID) else {
        throw ServiceError.notFound("re-tier job \(FieldValidation.quoted(request.jobID))")
      }
      return .with {
        $0.job = .with {
          $0.jobID = job.id
          $0.state = .init(rawValue: job.state) ?? .unspecified
          $0.done = job.done
          $0.total = job.total
          $0.changed = job.changed
          $0.createTime = .init(storeDate: job.createdAt)
          if let finished = job.finishedAt { $0.finishTime = .init(storeDate: finished) }
        }
      }
    }
  }
}
