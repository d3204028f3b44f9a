import Contracts
import Foundation
import GRDB
import GRPCCore
import ServiceKit

extension SegmentationService {
  /// `MergeCustomers`: folds two profiles of one person into the survivor, atomically.
  public func mergeCustomers(
    request: Crm_Segmentation_V1_MergeCustomersRequest,
    context: ServerContext
  ) async throws -> Crm_Segmentation_V1_MergeCustomersResponse {
    try FieldValidation.requireID(request.survivorCustomerID, field: "survivor_customer_id")
    try FieldValidation.requireID(request.mergedCustomerID, field: "merged_customer_id")
    let key = try IdempotencyLedger.validatedKey(
      request.idempotencyKey.key, field: "idempotency_key.key")
    let now = clock.now()
    let scope = "MergeCustomers"
    let policy = lifecycle
    let result = try await store.database.write { db in
      try IdempotencyLedger.run(db, scope: scope, key: key, request: request, now: now) { db in
        let merged = try CustomerMerge.merge(
          db, survivorID: request.survivorCustomerID, mergedID: request.mergedCustomerID, now: now)
        let survivor = try ProfileRefresh.apply(
          db, record: merged, now: now, policy: policy, cause: "merge")
        return try Crm_Segmentation_V1_MergeCustomersResponse.with {
          $0.customer = try CustomerProfile.message(db, record: survivor, now: now)
        }
      }
    }
    let response = try result.get()
    logger.info(
      "customers merged",
      metadata: [
        "survivor_customer_id": "\(request.survivorCustomerID)",
        "merged_customer_id": "\(request.mergedCustomerID)",
      ])
    return response
  }
}
