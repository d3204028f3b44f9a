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
    try Self.validate(interaction, field: "interaction")
    // The tier comes from segmentation (or its last copy), never from the caller.
    let facts = try await customerFacts(interaction.customerID)
    let now = clock.now()
    let result = try await store.database.write { db in
      if facts.isFresh { try facts.save(db, now: now) }
      return try IdempotencyLedger.run(db, scope: "LogInteraction", key: key, request: request, now: now) { db in
        let record = try Self.insert(db, interaction, field: "interaction", tier: facts.tier, taskID: nil, now: now)
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
      throw ServiceError.notFound("interaction \(FieldValidation.quoted(request.interactionID))")
    }
    return .with { $0.interaction = record.message }
  }

  /// Checks a touch as a caller sends it; `field` is its path in the request.
  static func validate(_ interaction: Crm_Interaction_V1_Interaction, field: String) throws(ServiceError) {
    try FieldValidation.requireID(interaction.customerID, field: "\(field).customer_id")
    try FieldValidation.requireText(interaction.type, field: "\(field).type", maxLength: 64)
    try FieldValidation.requireKnown(interaction.channel, field: "\(field).channel")
    try FieldValidation.limitText(interaction.content, field: "\(field).content", maxLength: 5000)
    try FieldValidation.limitText(interaction.owner, field: "\(field).owner", maxLength: 128)
    try FieldValidation.limitText(interaction.customerReply, field: "\(field).customer_reply", maxLength: 5000)
    try FieldValidation.optionalKnown(interaction.mood, field: "\(field).mood")
    if interaction.score != 0 {
      try FieldValidation.require(interaction.score, in: 1...5, field: "\(field).score")
    }
    try FieldValidation.limitText(interaction.threadID, field: "\(field).thread_id", maxLength: 128)
    // A co-creation suggestion is the customer's idea: without it there is nothing to record.
    if interaction.type == Self.coCreationType && interaction.content.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
      throw .invalidArgument(field: "\(field).content", reason: "is required for a co_creation suggestion")
    }
  }

  /// The type of a customer's suggestion of a product or process change.
  static let coCreationType = "co_creation"

  /// Writes a validated touch, continuing its thread, and tells segmentation of the activity.
  static func insert(
    _ db: Database, _ interaction: Crm_Interaction_V1_Interaction, field: String, tier: String, taskID: String?,
    now: Date
  ) throws -> InteractionRecord {
    let id = UUID().uuidString.lowercased()
    var threadID = id
    if !interaction.threadID.isEmpty {
      let owner = try String.fetchOne(
        db, sql: "SELECT customer_id FROM interaction WHERE thread_id = ? LIMIT 1", arguments: [interaction.threadID])
      guard owner == interaction.customerID else {
        throw ServiceError.invalidArgument(
          field: "\(field).thread_id", reason: "names no conversation of customer \(interaction.customerID)")
      }
      threadID = interaction.threadID
    }
    let record = InteractionRecord(
      id: id,
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
      createdAt: now,
      tier: tier,
      threadID: threadID,
      taskID: taskID)
    try record.insert(db)
    try InteractionEvents.activity(db, customerID: record.customerID, at: record.actualAt, now: now)
    return record
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
      $0.tier = tier
      $0.threadID = threadID
      $0.taskID = taskID ?? ""
    }
  }
}
