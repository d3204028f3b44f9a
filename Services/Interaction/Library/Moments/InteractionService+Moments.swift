import Contracts
import Foundation
import GRDB
import GRPCCore
import ServiceKit

extension InteractionService {
  public func recordMoment(
    request: Crm_Interaction_V1_RecordMomentRequest,
    context: ServerContext
  ) async throws -> Crm_Interaction_V1_RecordMomentResponse {
    try FieldValidation.requireID(request.customerID, field: "customer_id")
    try MomentPlanner.validateKind(request.kind, field: "kind")
    try FieldValidation.requireID(request.occurrenceID, field: "occurrence_id")
    let now = clock.now()
    let occurredAt = request.hasOccurTime ? request.occurTime.date : now
    // Read before the write transaction: a slow segmentation must never hold the store.
    let facts = try await customerFacts(request.customerID)
    return try await store.database.write { db in
      if facts.isFresh { try facts.save(db, now: now) }
      let outcome = try MomentPlanner.record(
        db, customerID: request.customerID, kind: request.kind, occurrenceID: request.occurrenceID,
        occurredAt: occurredAt, facts: facts, now: now)
      return .with {
        $0.moment = outcome.moment.message
        $0.tasks = outcome.tasks.map { $0.message(now: now) }
        $0.alreadyRecorded = outcome.alreadyRecorded
      }
    }
  }
}
