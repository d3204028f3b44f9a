import Foundation
import GRDB
import Synchronization

/// Groups concurrent durable writes into shared transactions (group commit).
///
/// With `synchronous=FULL` each commit waits for the disk, so one transaction per request caps
/// the store at the disk's flush rate. Here a single writer drains the queue of pending
/// operations: it runs each one in its own SAVEPOINT (a failing operation rolls back only its
/// own writes), commits the batch once, and only then completes every caller with its own
/// result. While a batch commits, new operations queue up and form the next batch.
///
/// An operation is never acknowledged before the commit that holds it: when the commit fails,
/// every operation of the batch fails with it (UNAVAILABLE), and none of them was written.
/// Operations run in the order they were queued, so idempotency keys and balance checks see
/// every earlier operation of the same batch exactly as if each had its own transaction.
public final class GroupCommitWriter: Sendable {
  private let database: any DatabaseWriter
  private let maxBatchSize: Int
  private let state = Mutex(State())

  private struct State {
    var pending: [PendingWrite] = []
    var draining = false
    var inFlight = 0
    var statistics = Statistics()
  }

  /// How much grouping happened: operations per committed batch is the gain over one
  /// transaction per request.
  public struct Statistics: Sendable, Hashable {
    /// Transactions committed.
    public var batches = 0
    /// Operations acknowledged in those transactions.
    public var operations = 0
    /// The most operations one transaction held.
    public var largestBatch = 0

    /// No grouping yet.
    public init() {}
  }

  /// The grouping so far.
  public var statistics: Statistics { state.withLock { $0.statistics } }

  /// Operations queued and not yet taken into a batch.
  public var pendingCount: Int { state.withLock { $0.pending.count } }

  /// Operations of the batch being written, not yet completed.
  public var inFlightCount: Int { state.withLock { $0.inFlight } }

  /// One queued operation: runs inside the batch's transaction, completes after its commit.
  private struct PendingWrite: Sendable {
    /// Runs the operation in its savepoint and keeps its outcome for `complete`.
    let run: @Sendable (Database) -> Void
    /// Resumes the caller with the kept outcome, or with `commitError` when the batch failed.
    let complete: @Sendable (_ commitError: (any Error)?) -> Void
  }

  /// Creates a writer over `database`; a batch holds at most `maxBatchSize` operations so that
  /// one transaction never holds the store's writer for long.
  public init(database: any DatabaseWriter, maxBatchSize: Int = 512) {
    precondition(maxBatchSize > 0, "a batch must hold at least one operation")
    self.database = database
    self.maxBatchSize = maxBatchSize
  }

  /// Runs `body` in the next batch's transaction and returns its result once that
  /// transaction has committed. An error `body` throws rolls back only its own writes.
  public func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T)
    async throws -> T
  {
    try await withCheckedThrowingContinuation { continuation in
      let outcome = Mutex<Result<T, any Error>?>(nil)
      let operation = PendingWrite(
        run: { db in
          let result: Result<T, any Error>
          do {
            var value: T?
            try db.inSavepoint {
              value = try body(db)
              return .commit
            }
            result = .success(value!)
          } catch {
            result = .failure(error)
          }
          outcome.withLock { $0 = result }
        },
        complete: { commitError in
          if let commitError {
            continuation.resume(throwing: commitError)
          } else {
            let result = outcome.withLock { $0 } ?? .failure(
              ServiceError.internalError("a grouped write completed without running"))
            continuation.resume(with: result)
          }
        })
      let startDrain = state.withLock { state in
        state.pending.append(operation)
        guard !state.draining else { return false }
        state.draining = true
        return true
      }
      if startDrain {
        Task { await self.drain() }
      }
    }
  }

  /// Runs `body` through `writer` when there is one (a shared transaction), else in its own
  /// transaction of `database`; returns once it is committed. Services keep the writer
  /// optional so that one transaction per request can still be measured against it.
  public static func write<T: Sendable>(
    through writer: GroupCommitWriter?, or database: any DatabaseWriter,
    _ body: @escaping @Sendable (Database) throws -> T
  ) async throws -> T {
    if let writer {
      return try await writer.write(body)
    }
    return try await database.write(body)
  }

  /// Commits batches until the queue is empty.
  private func drain() async {
    while true {
      let batch = state.withLock { state -> [PendingWrite] in
        let batch = Array(state.pending.prefix(maxBatchSize))
        state.pending.removeFirst(batch.count)
        if batch.isEmpty { state.draining = false }
        state.inFlight = batch.count
        return batch
      }
      guard !batch.isEmpty else { return }
      do {
        try await database.write { db in
          for operation in batch {
            operation.run(db)
          }
        }
        state.withLock { state in
          state.statistics.batches += 1
          state.statistics.operations += batch.count
          state.statistics.largestBatch = max(state.statistics.largestBatch, batch.count)
          state.inFlight = 0
        }
        for operation in batch {
          operation.complete(nil)
        }
      } catch {
        // Nothing of the batch is on disk: every caller learns it, none gets a result.
        let failure = ServiceError.unavailable("the store could not commit the write: \(error)")
        state.withLock { $0.inFlight = 0 }
        for operation in batch {
          operation.complete(failure)
        }
      }
    }
  }
}
