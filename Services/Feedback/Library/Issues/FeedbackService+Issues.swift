import Contracts
import Foundation
import GRDB
import GRPCCore
import ServiceKit
import SwiftProtobuf

extension FeedbackService {
  /// Defines an issue tickets can be linked to.
  public func createIssue(
    request: Crm_Feedback_V1_CreateIssueRequest,
    context: ServerContext
  ) async throws -> Crm_Feedback_V1_CreateIssueResponse {
    let key = try IdempotencyLedger.validatedKey(
      request.idempotencyKey.key, field: "idempotency_key.key")
    let issue = request.issue
    try SLAPolicyRecord.validateID(issue.issueID, field: "issue.issue_id")
    try FieldValidation.requireText(issue.title, field: "issue.title", maxLength: 200)
    if !issue.category.isEmpty {
      try CategoryPath.validate(issue.category, field: "issue.category")
    }

    let now = clock.now()
    let result = try await store.database.write { db in
      // Categories are never deleted, so this check may stay outside the ledger.
      if !issue.category.isEmpty, try !CategoryRecord.exists(db, key: issue.category) {
        throw ServiceError.invalidArgument(
          field: "issue.category", reason: "\(FieldValidation.quoted(issue.category)) is not in the category tree")
      }
      return try IdempotencyLedger.run(
        db, scope: "CreateIssue", key: key, request: request, now: now
      ) { db in
        if try IssueRecord.exists(db, key: issue.issueID) {
          throw ServiceError.alreadyExists("issue \(FieldValidation.quoted(issue.issueID)) already exists")
        }
        let record = IssueRecord(
          id: issue.issueID, title: issue.title, category: issue.category, createdAt: now)
        try record.insert(db)
        return try Crm_Feedback_V1_CreateIssueResponse.with { $0.issue = try record.message(db) }
      }
    }
    return try result.get()
  }

  /// Links a ticket to an open issue, once; the ticket's history records it.
  public func linkTicketToIssue(
    request: Crm_Feedback_V1_LinkTicketToIssueRequest,
    context: ServerContext
  ) async throws -> Crm_Feedback_V1_LinkTicketToIssueResponse {
    let key = try IdempotencyLedger.validatedKey(
      request.idempotencyKey.key, field: "idempotency_key.key")
    try FieldValidation.requireID(request.issueID, field: "issue_id")
    try FieldValidation.requireID(request.ticketID, field: "ticket_id")
    try FieldValidation.requireID(request.actorID, field: "actor_id")

    let now = clock.now()
    let result = try await store.database.write { db in
      try IdempotencyLedger.run(
        db, scope: "LinkTicketToIssue", key: key, request: request, now: now
      ) { db in
        let issue = try IssueRecord.existing(request.issueID, db)
        let ticket = try TicketRecord.existing(request.ticketID, db)
        // A resolved issue's customers have been told its outcome; a later report is a new
        // problem (or a reopened one), not this issue.
        if issue.resolvedAt != nil {
          throw ServiceError.failedPrecondition("issue \(issue.id) is resolved")
        }
        if try !IssueTicketRecord.exists(db, key: ["issue_id": issue.id, "ticket_id": ticket.id]) {
          try IssueTicketRecord(issueID: issue.id, ticketID: ticket.id, linkedAt: now).insert(db)
          try TicketHistory.append(
            TicketEventRecord(
              ticketID: ticket.id, type: Crm_Feedback_V1_TicketEventType.linkedToIssue.rawValue,
              actorID: request.actorID, occurredAt: now, note: issue.id),
            db)
        }
        return try Crm_Feedback_V1_LinkTicketToIssueResponse.with {
          $0.issue = try issue.message(db)
        }
      }
    }
    return try result.get()
  }

  /// Resolves an issue and records one outcome notice on each linked ticket, exactly once.
  public func resolveIssue(
    request: Crm_Feedback_V1_ResolveIssueRequest,
    context: ServerContext
  ) async throws -> Crm_Feedback_V1_ResolveIssueResponse {
    let key = try IdempotencyLedger.validatedKey(
      request.idempotencyKey.key, field: "idempotency_key.key")
    try FieldValidation.requireID(request.issueID, field: "issue_id")
    try FieldValidation.requireText(request.resolution, field: "resolution", maxLength: 2000)
    try FieldValidation.requireID(request.actorID, field: "actor_id")

    let now = clock.now()
    let result = try await store.database.write { db in
      try IdempotencyLedger.run(db, scope: "ResolveIssue", key: key, request: request, now: now)
      { db in
        var issue = try IssueRecord.existing(request.issueID, db)
        if issue.resolvedAt != nil {
          // A repeat of the same resolution (a retry without the key) tells no one twice.
          guard issue.resolution == request.resolution else {
            throw ServiceError.alreadyExists(
              "issue \(issue.id) was already resolved with another resolution")
          }
          return try Crm_Feedback_V1_ResolveIssueResponse.with { $0.issue = try issue.message(db) }
        }
        issue.resolution = request.resolution
        issue.resolvedAt = now
        issue.resolvedBy = request.actorID
        try issue.update(db)
        let pending = try IssueTicketRecord
          .filter(IssueTicketRecord.Columns.issueID == issue.id)
          .filter(IssueTicketRecord.Columns.notifiedAt == nil)
          .fetchAll(db)
        for var link in pending {
          link.notifiedAt = now
          try link.update(db)
          try TicketHistory.append(
            TicketEventRecord(
              ticketID: link.ticketID,
              type: Crm_Feedback_V1_TicketEventType.outcomeNotified.rawValue,
              actorID: request.actorID, occurredAt: now, note: request.resolution),
            db)
        }
        return try Crm_Feedback_V1_ResolveIssueResponse.with {
          $0.issue = try issue.message(db)
          $0.notifiedCount = Int32(pending.count)
        }
      }
    }
    return try result.get()
  }
}

extension IssueRecord {
  /// The issue `id`, or NOT_FOUND.
  static func existing(_ id: String, _ db: Database) throws -> IssueRecord {
    guard let record = try IssueRecord.fetchOne(db, key: id) else {
      throw ServiceError.notFound("issue \(FieldValidation.quoted(id))")
    }
    return record
  }

  /// The issue as the API shows it, with its number of linked tickets.
  func message(_ db: Database) throws -> Crm_Feedback_V1_Issue {
    let count = try IssueTicketRecord.filter(IssueTicketRecord.Columns.issueID == id).fetchCount(db)
    return .with {
      $0.issueID = id
      $0.title = title
      $0.category = category
      $0.createTime = Google_Protobuf_Timestamp(storeDate: createdAt)
      $0.resolution = resolution
      if let resolvedAt { $0.resolveTime = Google_Protobuf_Timestamp(storeDate: resolvedAt) }
      $0.ticketCount = Int64(count)
    }
  }
}
