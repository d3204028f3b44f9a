import Contracts
import Foundation
import GRDB
import GRPCCore
import ServiceKit
import SwiftProtobuf

extension InteractionService: Crm_Interaction_V1_InteractionService.SimpleServiceProtocol {
  public func logInteraction(
    request: Crm_Interaction_V1_LogInteractionRequest,
    context: ServerContext
  ) async throws -> Crm_Interaction_V1_LogInteractionResponse {
    let key = try IdempotencyLedger.validatedKey(request.idempotencyKey.key, field: "idempotency_key.key")
    let interaction = request.interaction
    try FieldValidation.requireID(interaction.customerID, field: "interaction.customer_id")
    try FieldValidation.requireText(interaction.type, field: "interaction.type", maxLength: 64)
    try FieldValidation.requireKnown(interaction.channel, field: "interaction.channel")
    try FieldValidation.limitText(interaction.content, field: "interaction.content", maxLength: 5000)
    try FieldValidation.limitText(interaction.owner, field: "interaction.owner", maxLength: 128)
    try FieldValidation.limitText(interaction.customerReply, field: "interaction.customer_reply", maxLength: 5000)
    try FieldValidation.optionalKnown(interaction.mood, field: "interaction.mood")
    if interaction.score != 0 {
      try FieldValidation.require(interaction.score, in: 1...5, field: "interaction.score")
    }

    let now = clock.now()
    let record = InteractionRecord(
      id: UUID().uuidString.lowercased(),
      customerID: interaction.customerID,
      type: interaction.type,
      channel: interaction.channel.rawValue,
      content: interaction.content,
      owner: interaction.owner,
      plannedAt: interaction.hasPlannedTime ? interaction.plannedTime.date : nil,
      actualAt: interaction.hasActualTime ? interaction.actualTime.date : now,
      customerReply: interaction.customerReply,
      mood: interaction.mood.rawValue,
      score: Int(interaction.score),
      createdAt: now)
    let result = try await store.database.write { db in
      try IdempotencyLedger.run(db, scope: "LogInteraction", key: key, request: request, now: now) { db in
        try record.insert(db)
        return Crm_Interaction_V1_LogInteractionResponse.with { $0.interaction = record.message }
      }
    }
    return try result.get()
  }

  public func getInteraction(
    request: Crm_Interaction_V1_GetInteractionRequest,
    context: ServerContext
  ) async throws -> Crm_Interaction_V1_GetInteractionResponse {
    try FieldValidation.requireID(request.interactionID, field: "interaction_id")
    guard let record = try await store.database.read({ try InteractionRecord.fetchOne($0, key: request.interactionID) })
    else {
      throw ServiceError.notFound("interaction \(request.interactionID)")
    }
    return .with { $0.interaction = record.message }
  }
}

extension InteractionRecord {
  var message: Crm_Interaction_V1_Interaction {
    .with {
      $0.interactionID = id
      $0.customerID = customerID
      $0.type = type
      $0.channel = Crm_Interaction_V1_Channel(rawValue: channel) ?? .unspecified
      $0.content = content
      $0.owner = owner
      if let plannedAt { $0.plannedTime = Google_Protobuf_Timestamp(storeDate: plannedAt) }
      $0.actualTime = Google_Protobuf_Timestamp(storeDate: actualAt)
      $0.customerReply = customerReply
      $0.mood = Crm_Interaction_V1_Mood(rawValue: mood) ?? .unspecified
      $0.score = Int32(score)
    }
  }
}
