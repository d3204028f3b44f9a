import Contracts
import Foundation
import GRDB
import GRPCCore
import ServiceKit
import SwiftProtobuf

extension FeedbackService {
  /// Records an NPS answer, once per survey, linked to what the survey was about.
  public func submitNps(
    request: Crm_Feedback_V1_SubmitNpsRequest,
    context: ServerContext
  ) async throws -> Crm_Feedback_V1_SubmitNpsResponse {
    let key = try IdempotencyLedger.validatedKey(
      request.idempotencyKey.key, field: "idempotency_key.key")
    let answer = request.answer
    try FieldValidation.requireID(answer.surveyID, field: "answer.survey_id")
    try FieldValidation.require(answer.score, in: 0...10, field: "answer.score")
    try FieldValidation.limitText(answer.comment, field: "answer.comment", maxLength: 2000)
    if answer.ticketID.isEmpty {
      try FieldValidation.requireID(answer.customerID, field: "answer.customer_id")
    }
    if !answer.agentID.isEmpty {
      try FieldValidation.requireID(answer.agentID, field: "answer.agent_id")
    }

    let now = clock.now()
    let result = try await store.database.write { db in
      try IdempotencyLedger.run(db, scope: "SubmitNps", key: key, request: request, now: now) {
        db in
        var record = NpsAnswerRecord(
          surveyID: answer.surveyID, customerID: answer.customerID, ticketID: answer.ticketID,
          agentID: answer.agentID, score: Int(answer.score), comment: answer.comment,
          submittedAt: now)
        if !answer.ticketID.isEmpty {
          let ticket = try TicketRecord.existing(answer.ticketID, db)
          if record.customerID.isEmpty { record.customerID = ticket.customerID }
          guard record.customerID == ticket.customerID else {
            throw ServiceError.invalidArgument(
              field: "answer.customer_id", reason: "is not the customer of ticket \(ticket.id)")
          }
          if record.agentID.isEmpty { record.agentID = ticket.ownerID }
        }
        if try NpsAnswerRecord.exists(db, key: record.surveyID) {
          throw ServiceError.alreadyExists("survey \(record.surveyID) already has an answer")
        }
        try record.insert(db)
        return Crm_Feedback_V1_SubmitNpsResponse.with { $0.answer = record.message }
      }
    }
    return try result.get()
  }
}

extension NpsAnswerRecord {
  var message: Crm_Feedback_V1_NpsAnswer {
    .with {
      $0.surveyID = surveyID
      $0.customerID = customerID
      $0.ticketID = ticketID
      $0.agentID = agentID
      $0.score = Int32(score)
      $0.comment = comment
      $0.submitTime = Google_Protobuf_Timestamp(storeDate: submittedAt)
    }
  }
}
