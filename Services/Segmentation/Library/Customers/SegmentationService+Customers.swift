import Contracts
import Foundation
import GRDB
import GRPCCore
import ServiceKit
import SwiftProtobuf

extension SegmentationService: Crm_Segmentation_V1_SegmentationService.SimpleServiceProtocol {
  /// `CreateCustomer`: a new profile; safe to repeat under an idempotency key.
  public func createCustomer(
    request: Crm_Segmentation_V1_CreateCustomerRequest,
    context: ServerContext
  ) async throws -> Crm_Segmentation_V1_CreateCustomerResponse {
    let key = try IdempotencyLedger.validatedKey(request.idempotencyKey.key, field: "idempotency_key.key")
    let profile = try NewCustomer(validating: request.customer)
    let now = clock.now()
    let policy = lifecycle
    let result = try await store.database.write { db in
      try IdempotencyLedger.run(db, scope: "CreateCustomer", key: key, request: request, now: now) { db in
        let inserted = try profile.insert(db, id: UUID().uuidString.lowercased(), now: now)
        let record = try ProfileRefresh.apply(
          db, record: inserted, now: now, policy: policy, cause: "registered")
        try SegmentationEvents.customerRegistered(db, record: record, now: now)
        return Crm_Segmentation_V1_CreateCustomerResponse.with {
          $0.customer = record.message(tags: profile.tags)
        }
      }
    }
    return try result.get()
  }

  /// `GetCustomer`: one profile with its current figures; a merged id gives the survivor.
  public func getCustomer(
    request: Crm_Segmentation_V1_GetCustomerRequest,
    context: ServerContext
  ) async throws -> Crm_Segmentation_V1_GetCustomerResponse {
    try FieldValidation.requireID(request.customerID, field: "customer_id")
    let now = clock.now()
    return try await store.database.read { db in
      let (record, mergedFrom) = try CustomerLookup.live(db, id: request.customerID)
      return try .with {
        $0.customer = try CustomerProfile.message(db, record: record, now: now)
        if let mergedFrom { $0.mergedCustomerID = mergedFrom }
      }
    }
  }
}

extension CustomerRecord {
  func message(tags: [String]) -> Crm_Segmentation_V1_Customer {
    .with {
      $0.customerID = id
      $0.type = Crm_Segmentation_V1_CustomerType(rawValue: type) ?? .unspecified
      $0.displayName = displayName
      $0.email = email
      $0.phone = phone
      $0.sourceChannel = sourceChannel
      $0.accountManager = accountManager
      $0.timeZone = timeZone
      $0.tags = tags
      $0.createTime = Google_Protobuf_Timestamp(storeDate: createdAt)
      $0.updateTime = Google_Protobuf_Timestamp(storeDate: updatedAt)
      $0.lifecycleStage = lifecycleStage
      if let lastActivityAt { $0.lastActivityTime = .init(storeDate: lastActivityAt) }
      $0.loyaltyTier = loyaltyTier
      $0.tier = tier
      $0.tierRuleID = tierRuleID
      $0.tierReason = tierReason
      $0.rfmRecency = Int32(rfmRecency)
      $0.rfmFrequency = Int32(rfmFrequency)
      $0.rfmMonetary = Int32(rfmMonetary)
      if !currency.isEmpty {
        $0.lifetimeValue = .with {
          $0.amountMinor = totalMarginMinor
          $0.currency = currency
        }
      }
    }
  }
}
