import Contracts
import Foundation
import GRDB
import GRPCCore
import ServiceKit

extension SegmentationService {
  /// `LinkIdentity`: ties a channel identity to one profile, once.
  public func linkIdentity(
    request: Crm_Segmentation_V1_LinkIdentityRequest,
    context: ServerContext
  ) async throws -> Crm_Segmentation_V1_LinkIdentityResponse {
    try FieldValidation.requireID(request.customerID, field: "customer_id")
    let key = try IdentityKey(validating: request.identity, field: "identity")
    let now = clock.now()
    return try await store.database.write { db in
      let (customer, _) = try CustomerLookup.live(db, id: request.customerID)
      let existing = try CustomerIdentityRecord.fetchOne(
        db, key: ["channel": key.channel.rawValue, "external_id": key.externalID])
      if let existing {
        // Linking again to the same profile is a retry, not a conflict: return the first link.
        guard existing.customerID == customer.id else {
          throw ServiceError.alreadyExists(
            "this \(key.channel) identity belongs to another customer")
        }
        return .with {
          $0.customerID = customer.id
          $0.identity = existing.message
        }
      }
      let record = CustomerIdentityRecord(
        channel: key.channel.rawValue, externalID: key.externalID, customerID: customer.id,
        linkedAt: now)
      try record.insert(db)
      return .with {
        $0.customerID = customer.id
        $0.identity = record.message
      }
    }
  }

  /// `ResolveIdentity`: the profile a channel identity belongs to.
  public func resolveIdentity(
    request: Crm_Segmentation_V1_ResolveIdentityRequest,
    context: ServerContext
  ) async throws -> Crm_Segmentation_V1_ResolveIdentityResponse {
    let key = try IdentityKey(validating: request.identity, field: "identity")
    let now = clock.now()
    return try await store.database.read { db in
      guard
        let link = try CustomerIdentityRecord.fetchOne(
          db, key: ["channel": key.channel.rawValue, "external_id": key.externalID])
      else { throw ServiceError.notFound("customer with this \(key.channel) identity") }
      let (customer, _) = try CustomerLookup.live(db, id: link.customerID)
      return try .with { $0.customer = try CustomerProfile.message(db, record: customer, now: now) }
    }
  }
}
