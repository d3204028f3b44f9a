import Contracts
import Foundation
import GRDB
import GRPCCore
import ServiceKit
import SwiftProtobuf

extension FeedbackService: Crm_Feedback_V1_FeedbackService.SimpleServiceProtocol {
  /// Opens a ticket under the first SLA policy that selects it, with its first-response and
  /// resolution clocks running.
  public func createTicket(
    request: Crm_Feedback_V1_CreateTicketRequest,
    context: ServerContext
  ) async throws -> Crm_Feedback_V1_CreateTicketResponse {
    let key = try IdempotencyLedger.validatedKey(
      request.idempotencyKey.key, field: "idempotency_key.key")
    let ticket = request.ticket
    try FieldValidation.requireID(ticket.customerID, field: "ticket.customer_id")
    try FieldValidation.requireKnown(ticket.kind, field: "ticket.kind")
    try FieldValidation.requireKnown(ticket.priority, field: "ticket.priority")
    try FieldValidation.requireKnown(ticket.channel, field: "ticket.channel")
    try FieldValidation.requireText(ticket.category, field: "ticket.category", maxLength: 128)
    try FieldValidation.limitText(ticket.text, field: "ticket.text", maxLength: 5000)

    let now = clock.now()
    let tier = try await customerTier(ticket.customerID)
    let result = try await writeTicket { db in
      try Self.openTicket(db, request: request, key: key, tier: tier, now: now)
    }
    return try result.get()
  }

  /// Opens a ticket inside the caller's write transaction, once per idempotency key: the
  /// RPC and the events that open complaints (a review's event id is the key) share it.
  static func openTicket(
    _ db: Database, request: Crm_Feedback_V1_CreateTicketRequest, key: String?, tier: String?,
    now: Date
  ) throws -> Result<Crm_Feedback_V1_CreateTicketResponse, ServiceError> {
    let ticket = request.ticket
    // Categories are never deleted, so checking outside the ledger is safe, and a request
    // rejected for its category is not recorded: it may succeed once an operator adds it.
    let known = try Bool.fetchOne(
      db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM category WHERE path = ?)"),
      arguments: [ticket.category]) ?? false
    if !known {
      throw ServiceError.invalidArgument(
        field: "ticket.category", reason: "\(FieldValidation.quoted(ticket.category)) is not in the category tree")
    }
    return try IdempotencyLedger.run(
      db, scope: "CreateTicket", key: key, request: request, now: now
    ) { db in
      var record = TicketRecord(
        id: UUID().uuidString.lowercased(),
        customerID: ticket.customerID,
        kind: ticket.kind.rawValue,
        priority: ticket.priority.rawValue,
        channel: ticket.channel.rawValue,
        category: ticket.category,
        text: ticket.text,
        status: Crm_Feedback_V1_TicketStatus.received.rawValue,
        createdAt: now,
        firstResponseDueAt: now,
        ownerID: "",
        resolvedAt: nil,
        slaPolicyID: "")
      let policy = try SLAPolicyRecord.select(for: record, tier: tier, db)
      record.slaPolicyID = policy.id
      try record.insert(db)
      let firstResponse = try SLAClock.start(
        .firstResponse, ticketID: record.id, policy: policy, at: now, db)
      record.firstResponseDueAt = firstResponse.dueAt
      try record.update(db)
      try SLAClock.start(.resolution, ticketID: record.id, policy: policy, at: now, db)
      try TicketHistory.append(
        TicketEventRecord(
          ticketID: record.id, type: Crm_Feedback_V1_TicketEventType.created.rawValue,
          actorID: record.customerID, occurredAt: now, toStatus: record.status),
        db)
      try FeedbackEvents.ticketCreated(db, ticket: record, now: now)
      return try Crm_Feedback_V1_CreateTicketResponse.with { $0.ticket = try record.message(db) }
    }
  }

  /// Returns one ticket with its current clocks.
  public func getTicket(
    request: Crm_Feedback_V1_GetTicketRequest,
    context: ServerContext
  ) async throws -> Crm_Feedback_V1_GetTicketResponse {
    try FieldValidation.requireID(request.ticketID, field: "ticket_id")
    let ticket = try await store.database.read { db in
      try TicketRecord.existing(request.ticketID, db).message(db)
    }
    return .with { $0.ticket = ticket }
  }
}

extension TicketRecord {
  /// The ticket `id`, or NOT_FOUND.
  static func existing(_ id: String, _ db: Database) throws -> TicketRecord {
    guard let record = try TicketRecord.fetchOne(db, key: id) else {
      throw ServiceError.notFound("ticket \(FieldValidation.quoted(id))")
    }
    return record
  }

  /// The ticket as the API shows it, with the current run of each clock.
  func message(_ db: Database) throws -> Crm_Feedback_V1_Ticket {
    let clocks = try SLAClock.latest(ticketID: id, db)
    return .with {
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
      $0.ownerID = ownerID
      $0.clocks = clocks.map(\.message)
      if let resolvedAt { $0.resolveTime = Google_Protobuf_Timestamp(storeDate: resolvedAt) }
      $0.slaPolicyID = slaPolicyID
      $0.teamID = teamID
    }
  }
}
