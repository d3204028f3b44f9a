import Contracts
import Foundation
import GRDB
import GRPCCore
import ServiceKit
import SwiftProtobuf

extension InteractionService {
  /// Open tasks due within this long count as due (what an owner's reminder lists).
  static let dueHorizon: TimeInterval = 86_400

  public func listTasks(
    request: Crm_Interaction_V1_ListTasksRequest,
    context: ServerContext
  ) async throws -> Crm_Interaction_V1_ListTasksResponse {
    let byOwner = !request.owner.isEmpty
    guard byOwner != !request.customerID.isEmpty else {
      throw ServiceError.invalidArgument(field: "owner", reason: "exactly one of owner and customer_id is required")
    }
    if byOwner {
      try FieldValidation.requireID(request.owner, field: "owner")
    } else {
      try FieldValidation.requireID(request.customerID, field: "customer_id")
    }
    try FieldValidation.optionalKnown(request.view, field: "view")
    let size = try pageLimits.size(of: request.page)
    let listing = "tasks:\(byOwner ? "owner" : "customer"):\(byOwner ? request.owner : request.customerID):\(request.view.rawValue)"
    let after = try PageCursor.decode(request.page, listing: listing)
    let now = clock.now()

    let (sql, arguments) = try Self.taskQuery(
      column: byOwner ? "owner" : "customer_id", key: byOwner ? request.owner : request.customerID,
      view: request.view, now: now, after: after, size: size)
    let rows = try await store.database.read { [sql, arguments] db in try CareTaskRecord.fetchAll(db, sql: sql, arguments: arguments) }
    let page = Array(rows.prefix(size))
    let last = page.last.map { "\(Int64(($0.dueAt.timeIntervalSince1970 * 1000).rounded()))|\($0.id)" }
    return .with {
      $0.tasks = page.map { $0.message(now: now) }
      $0.page.nextPageToken = PageCursor.token(listing: listing, after: last, hasMore: rows.count > size)
    }
  }

  /// The SQL of one page of a due list.
  ///
  /// The (owner | customer, status, due_at, id) index serves the filter, the order and the
  /// keyset, so a page is a range scan however many tasks there are.
  static func taskQuery(
    column: String, key: String, view: Crm_Interaction_V1_TaskView, now: Date, after: String?, size: Int
  ) throws -> (String, StatementArguments) {
    var sql = "SELECT * FROM care_task WHERE \(column) = ? AND status = ?"
    var arguments: StatementArguments = [key, Crm_Interaction_V1_TaskStatus.open.rawValue]
    switch view {
    case .due:
      sql += " AND due_at <= ?"
      arguments += [now.addingTimeInterval(Self.dueHorizon)]
    case .overdue:
      sql += " AND due_at < ?"
      arguments += [now]
    default: break
    }
    if let after {
      let parts = after.split(separator: "|", maxSplits: 1).map(String.init)
      guard parts.count == 2, let millis = Double(parts[0]) else {
        throw ServiceError.invalidArgument(field: "page.page_token", reason: "is not a token this service issued")
      }
      sql += " AND (due_at, id) > (?, ?)"
      arguments += [Date(timeIntervalSince1970: millis / 1000), parts[1]]
    }
    sql += " ORDER BY due_at, id LIMIT ?"
    arguments += [size + 1]
    return (sql, arguments)
  }

  public func completeTask(
    request: Crm_Interaction_V1_CompleteTaskRequest,
    context: ServerContext
  ) async throws -> Crm_Interaction_V1_CompleteTaskResponse {
    try FieldValidation.requireID(request.taskID, field: "task_id")
    let key = try IdempotencyLedger.validatedKey(request.idempotencyKey.key, field: "idempotency_key.key")
    if request.hasOutcome {
      var outcome = request.outcome
      if outcome.customerID.isEmpty { outcome.customerID = "-" }  // taken from the task below
      try Self.validate(outcome, field: "outcome")
    }
    let now = clock.now()
    let result = try await store.database.write { db in
      try IdempotencyLedger.run(db, scope: "CompleteTask", key: key, request: request, now: now) { db in
        var task = try Self.openTask(db, id: request.taskID, action: "completed")
        task.status = Crm_Interaction_V1_TaskStatus.done.rawValue
        task.completedAt = now
        try task.update(db)
        var response = Crm_Interaction_V1_CompleteTaskResponse()
        if request.hasOutcome {
          var outcome = request.outcome
          outcome.customerID = task.customerID
          if !outcome.hasPlannedTime { outcome.plannedTime = .init(storeDate: task.dueAt) }
          if outcome.owner.isEmpty { outcome.owner = task.owner }
          let record = try Self.insert(db, outcome, field: "outcome", tier: task.tier, taskID: task.id, now: now)
          response.interaction = record.message
        }
        response.task = task.message(now: now)
        return response
      }
    }
    return try result.get()
  }

  public func rescheduleTask(
    request: Crm_Interaction_V1_RescheduleTaskRequest,
    context: ServerContext
  ) async throws -> Crm_Interaction_V1_RescheduleTaskResponse {
    try FieldValidation.requireID(request.taskID, field: "task_id")
    guard request.hasDueTime else {
      throw ServiceError.invalidArgument(field: "due_time", reason: "is required")
    }
    try FieldValidation.limitText(request.reason, field: "reason", maxLength: 500)
    let key = try IdempotencyLedger.validatedKey(request.idempotencyKey.key, field: "idempotency_key.key")
    let now = clock.now()
    // An operator's explicit choice: caps and quiet hours are not applied again.
    let result = try await store.database.write { db in
      try IdempotencyLedger.run(db, scope: "RescheduleTask", key: key, request: request, now: now) { db in
        var task = try Self.openTask(db, id: request.taskID, action: "rescheduled")
        task.dueAt = request.dueTime.date
        task.deferralKind = "rescheduled"
        task.deferralReason = request.reason.isEmpty ? "rescheduled" : "rescheduled: \(request.reason)"
        try task.update(db)
        return Crm_Interaction_V1_RescheduleTaskResponse.with { $0.task = task.message(now: now) }
      }
    }
    return try result.get()
  }

  public func cancelTask(
    request: Crm_Interaction_V1_CancelTaskRequest,
    context: ServerContext
  ) async throws -> Crm_Interaction_V1_CancelTaskResponse {
    try FieldValidation.requireID(request.taskID, field: "task_id")
    try FieldValidation.limitText(request.reason, field: "reason", maxLength: 500)
    let key = try IdempotencyLedger.validatedKey(request.idempotencyKey.key, field: "idempotency_key.key")
    let now = clock.now()
    let result = try await store.database.write { db in
      try IdempotencyLedger.run(db, scope: "CancelTask", key: key, request: request, now: now) { db in
        var task = try Self.openTask(db, id: request.taskID, action: "cancelled")
        task.status = Crm_Interaction_V1_TaskStatus.cancelled.rawValue
        task.cancelReason = request.reason
        try task.update(db)
        return Crm_Interaction_V1_CancelTaskResponse.with { $0.task = task.message(now: now) }
      }
    }
    return try result.get()
  }

  /// The task, which must be open. NOT_FOUND, or FAILED_PRECONDITION naming its state.
  static func openTask(_ db: Database, id: String, action: String) throws -> CareTaskRecord {
    guard let task = try CareTaskRecord.fetchOne(db, key: id) else {
      throw ServiceError.notFound("task \(FieldValidation.quoted(id))")
    }
    let status = Crm_Interaction_V1_TaskStatus(rawValue: task.status) ?? .unspecified
    guard status == .open else {
      let state = switch status {
      case .done: "done"
      case .cancelled: "cancelled"
      case .suppressed: "suppressed (\(task.deferralReason))"
      default: "not open"
      }
      throw ServiceError.failedPrecondition("task \(id) is \(state) and cannot be \(action)")
    }
    return task
  }
}
