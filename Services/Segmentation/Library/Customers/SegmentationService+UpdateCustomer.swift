import Contracts
import Foundation
import GRDB
import GRPCCore
import ServiceKit

extension SegmentationService {
  /// `UpdateCustomer`: changes the fields named in the mask, nothing else.
  public func updateCustomer(
    request: Crm_Segmentation_V1_UpdateCustomerRequest,
    context: ServerContext
  ) async throws -> Crm_Segmentation_V1_UpdateCustomerResponse {
    try FieldValidation.requireID(request.customer.customerID, field: "customer.customer_id")
    let patch = try CustomerPatch(validating: request.customer, mask: request.updateMask)
    let now = clock.now()
    let policy = lifecycle
    return try await store.database.write { db in
      let (record, _) = try CustomerLookup.live(db, id: request.customer.customerID)
      let patched = try patch.apply(db, to: record, now: now)
      let updated = try ProfileRefresh.apply(
        db, record: patched, now: now, policy: policy, cause: "update")
      return try .with { $0.customer = try CustomerProfile.message(db, record: updated, now: now) }
    }
  }
}
