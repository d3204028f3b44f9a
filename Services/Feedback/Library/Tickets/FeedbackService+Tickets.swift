import Contracts
import Foundation
import GRDB
import GRPCCore
import ServiceKit
import SwiftProtobuf

extension FeedbackService: Crm_Feedback_V1_FeedbackService.SimpleServiceProtocol {
  public func createTicket(
    request: Crm_Feedback_V1_CreateTicketRequest,
    context: ServerContext
  ) async throws -> Crm_Feedback_V1_CreateTicketResponse {
    let key = try IdempotencyLedger.validatedKey(request.idempotencyKey.key, field: "idempotency_key.key")
    let ticket = request.ticket
    try FieldValidation.requireID(ticket.customerID, field: "ticket.customer_id")
    try FieldValidation.requireKnown(ticket.kind, field: "ticket.kind")
    try FieldValidation.requireKnown(ticket.priority, field: "ticket.priority")
    try FieldValidation.requireKnown(ticket.channel, field: "ticket.channel")
    try FieldValidation.requireText(ticket.category, field: "ticket.category", maxLength: 128)
    try FieldValidation.limitText(ticket.text, field: "ticket.text", maxLength: 5000)

    let now = clock.now()
    let record = TicketRecord(
      id: UUID().uuidString.lowercased(),
      customerID: ticket.customerID,
      kind: ticket.kind.rawValue,
      priority: ticket.priority.rawValue,
      channel: ticket.channel.rawValue,
      category: ticket.category,
      text: ticket.text,
      status: Crm_Feedback_V1_TicketStatus.received.rawValue,
      createdAt: now,
      firstResponseDueAt: firstResponse.deadline(kind: ticket.kind, priority: ticket.priority, from: now))
    let result = try await store.database.write { db in
      try IdempotencyLedger.run(db, scope: "CreateTicket", key: key, request: request, now: now) { db in
        try record.insert(db)
        return Crm_Feedback_V1_CreateTicketResponse.with { $0.ticket = record.message }
      }
    }
    return try result.get()
  }

  public func getTicket(
    request: Crm_Feedback_V1_GetTicketRequest,
    context: ServerContext
  ) async throws -> Crm_Feedback_V1_GetTicketResponse {
    try FieldValidation.requireID(request.ticketID, field: "ticket_id")
    guard let record = try await store.database.read({ try TicketRecord.fetchOne($0, key: request.ticketID) }) else {
      throw ServiceError.notFound("ticket \(request.ticketID)")
    }
    return .with { $0.ticket = record.message }
  }
}

extension TicketRecord {
  var message: Crm_Feedback_V1_Ticket {
    .with {
      $0.ticketID = id
      $0.customerID = customerID
      $0.kind = Crm_Feedback_V1_TicketKind(rawValue: kind) ?? .unspecified
      $0.priority = Crm_Feedback_V1_Priority(rawValue: priority) ?? .unspecified
      $0.channel = Crm_Feedback_V1_IntakeChannel(rawValue: channel) ?? .unspecified
      $0.category = category
      $0.text = text
      $0.status = Crm_Feedback_V1_TicketStatus(rawValue: status) ?? .unspecified
      $0.createTime = Google_Protobuf_Timestamp(storeDate: createdAt)
      $0.firstResponseDueTime = Google_Protobuf_Timestamp(storeDate: firstResponseDueAt)
    }
  }
}
