import Contracts
import Foundation
import GRDB
import GRPCCore
import ServiceKit

extension FeedbackService {
  /// Moves a ticket to `target_status` if its lifecycle allows it, with the clocks and the
  /// history that go with the move.
  public func transitionTicket(
    request: Crm_Feedback_V1_TransitionTicketRequest,
    context: ServerContext
  ) async throws -> Crm_Feedback_V1_TransitionTicketResponse {
    let key = try IdempotencyLedger.validatedKey(
      request.idempotencyKey.key, field: "idempotency_key.key")
    try FieldValidation.requireID(request.ticketID, field: "ticket_id")
    try FieldValidation.requireKnown(request.targetStatus, field: "target_status")
    try FieldValidation.requireID(request.actorID, field: "actor_id")
    try FieldValidation.limitText(request.note, field: "note", maxLength: 2000)

    let now = clock.now()
    let reopenWindow = reopenWindow
    let result = try await store.database.write { db in
      try IdempotencyLedger.run(db, scope: "TransitionTicket", key: key, request: request, now: now)
      { db in
        var ticket = try TicketRecord.existing(request.ticketID, db)
        let from = TicketLifecycle.Status(rawValue: ticket.status) ?? .unspecified
        let to = request.targetStatus
        guard let move = TicketLifecycle.move(from: from, to: to) else {
          throw ServiceError.failedPrecondition(
            "ticket \(ticket.id) cannot go from \(from) to \(to)")
        }
        if move == .reopen {
          guard let resolvedAt = ticket.resolvedAt,
            now.timeIntervalSince(resolvedAt) <= reopenWindow
          else {
            throw ServiceError.failedPrecondition(
              "ticket \(ticket.id) can no longer be reopened: it was resolved more than "
                + "\(Int(reopenWindow / 3600)) hours ago")
          }
        }
        let policy = try SLAPolicyRecord.policy(of: ticket, db)
        ticket.status = to.rawValue
        if to == .resolved { ticket.resolvedAt = now }
        try ticket.update(db)
        try TicketHistory.append(
          TicketEventRecord(
            ticketID: ticket.id,
            type: (move == .reopen ? Crm_Feedback_V1_TicketEventType.reopened : .statusChanged)
              .rawValue,
            actorID: request.actorID, occurredAt: now, fromStatus: from.rawValue,
            toStatus: to.rawValue,
            note: request.note),
          db)
        try TicketLifecycle.moveClocks(
          ticketID: ticket.id, from: from, to: to, move: move, policy: policy, at: now,
          actor: request.actorID, db)
        if to == .resolved, ticket.kind == Crm_Feedback_V1_TicketKind.complaint.rawValue {
          try FeedbackEvents.complaintResolved(db, ticket: ticket, now: now)
        }
        return try Crm_Feedback_V1_TransitionTicketResponse.with {
          $0.ticket = try ticket.message(db)
        }
      }
    }
    return try result.get()
  }

  /// Records a progress report to the customer: meets the next-update clock and restarts it.
  public func postProgressUpdate(
    request: Crm_Feedback_V1_PostProgressUpdateRequest,
    context: ServerContext
  ) async throws -> Crm_Feedback_V1_PostProgressUpdateResponse {
    let key = try IdempotencyLedger.validatedKey(
      request.idempotencyKey.key, field: "idempotency_key.key")
    try FieldValidation.requireID(request.ticketID, field: "ticket_id")
    try FieldValidation.requireID(request.actorID, field: "actor_id")
    try FieldValidation.requireText(request.note, field: "note", maxLength: 2000)

    let now = clock.now()
    let result = try await store.database.write { db in
      try IdempotencyLedger.run(
        db, scope: "PostProgressUpdate", key: key, request: request, now: now
      ) { db in
        let ticket = try TicketRecord.existing(request.ticketID, db)
        let status = TicketLifecycle.Status(rawValue: ticket.status) ?? .unspecified
        guard status == .acknowledged || status == .inProgress else {
          throw ServiceError.failedPrecondition(
            "ticket \(ticket.id) is \(status): progress is reported while acknowledged or in progress"
          )
        }
        let policy = try SLAPolicyRecord.policy(of: ticket, db)
        try TicketHistory.append(
          TicketEventRecord(
            ticketID: ticket.id, type: Crm_Feedback_V1_TicketEventType.progressUpdate.rawValue,
            actorID: request.actorID, occurredAt: now, note: request.note),
          db)
        try SLAClock.end(
          .nextUpdate, ticketID: ticket.id, policy: policy, at: now, actor: request.actorID, db)
        try SLAClock.start(.nextUpdate, ticketID: ticket.id, policy: policy, at: now, db)
        return try Crm_Feedback_V1_PostProgressUpdateResponse.with {
          $0.ticket = try ticket.message(db)
        }
      }
    }
    return try result.get()
  }

  /// Gives a ticket an owner; giving it the owner it has changes nothing.
  public func assignTicket(
    request: Crm_Feedback_V1_AssignTicketRequest,
    context: ServerContext
  ) async throws -> Crm_Feedback_V1_AssignTicketResponse {
    let key = try IdempotencyLedger.validatedKey(
      request.idempotencyKey.key, field: "idempotency_key.key")
    try FieldValidation.requireID(request.ticketID, field: "ticket_id")
    try FieldValidation.requireID(request.ownerID, field: "owner_id")
    try FieldValidation.requireID(request.actorID, field: "actor_id")
    if !request.teamID.isEmpty { try FieldValidation.requireID(request.teamID, field: "team_id") }

    let now = clock.now()
    let result = try await store.database.write { db in
      try IdempotencyLedger.run(db, scope: "AssignTicket", key: key, request: request, now: now) {
        db in
        var ticket = try TicketRecord.existing(request.ticketID, db)
        if ticket.status == TicketLifecycle.Status.closed.rawValue {
          throw ServiceError.failedPrecondition("ticket \(ticket.id) is closed")
        }
        if ticket.ownerID != request.ownerID
          || (!request.teamID.isEmpty && ticket.teamID != request.teamID)
        {
          ticket.ownerID = request.ownerID
          if !request.teamID.isEmpty { ticket.teamID = request.teamID }
          try ticket.update(db)
          try TicketHistory.append(
            TicketEventRecord(
              ticketID: ticket.id, type: Crm_Feedback_V1_TicketEventType.assigned.rawValue,
              actorID: request.actorID, occurredAt: now, ownerID: request.ownerID,
              teamID: ticket.teamID),
            db)
        }
        return try Crm_Feedback_V1_AssignTicketResponse.with { $0.ticket = try ticket.message(db) }
      }
    }
    return try result.get()
  }
}
