import Contracts
import Foundation
import GRDB
import GRPCCore
import ServiceKit
import SwiftProtobuf

extension FeedbackService {
  /// Records the customer's CSAT answer for a resolved ticket, once.
  public func submitCsat(
    request: Crm_Feedback_V1_SubmitCsatRequest,
    context: ServerContext
  ) async throws -> Crm_Feedback_V1_SubmitCsatResponse {
    let key = try IdempotencyLedger.validatedKey(
      request.idempotencyKey.key, field: "idempotency_key.key")
    try FieldValidation.requireID(request.ticketID, field: "ticket_id")
    try FieldValidation.require(request.score, in: 1...5, field: "score")
    try FieldValidation.limitText(request.comment, field: "comment", maxLength: 2000)

    let now = clock.now()
    let result = try await store.database.write { db in
      try IdempotencyLedger.run(db, scope: "SubmitCsat", key: key, request: request, now: now) {
        db in
        let ticket = try TicketRecord.existing(request.ticketID, db)
        // Satisfaction is asked about an outcome, so only once the ticket has one.
        guard ticket.resolvedAt != nil,
          TicketLifecycle.reopenable.contains(
            TicketLifecycle.Status(rawValue: ticket.status) ?? .unspecified)
        else {
          throw ServiceError.failedPrecondition("ticket \(ticket.id) is not resolved")
        }
        if try CsatAnswerRecord.exists(db, key: ticket.id) {
          throw ServiceError.alreadyExists("ticket \(ticket.id) already has a CSAT answer")
        }
        let answer = CsatAnswerRecord(
          ticketID: ticket.id, customerID: ticket.customerID, agentID: ticket.ownerID,
          score: Int(request.score), comment: request.comment, submittedAt: now)
        try answer.insert(db)
        try TicketHistory.append(
          TicketEventRecord(
            ticketID: ticket.id, type: Crm_Feedback_V1_TicketEventType.csatSubmitted.rawValue,
            actorID: ticket.customerID, occurredAt: now, note: request.comment,
            csatScore: answer.score),
          db)
        return Crm_Feedback_V1_SubmitCsatResponse.with { $0.answer = answer.message }
      }
    }
    return try result.get()
  }
}

extension CsatAnswerRecord {
  var message: Crm_Feedback_V1_CsatAnswer {
    .with {
      $0.ticketID = ticketID
      $0.customerID = customerID
      $0.agentID = agentID
      $0.score = Int32(score)
      $0.comment = comment
      $0.submitTime = Google_Protobuf_Timestamp(storeDate: submittedAt)
    }
  }
}
