import Contracts
import GRDB
import GRPCCore
import ServiceKit

extension SegmentationService {
  /// `GetPurchase`: one recorded order with what was refunded of it.
  public func getPurchase(
    request: Crm_Segmentation_V1_GetPurchaseRequest,
    context: ServerContext
  ) async throws -> Crm_Segmentation_V1_GetPurchaseResponse {
    try FieldValidation.requireID(request.orderID, field: "order_id")
    return try await store.database.read { db in
      guard let record = try PurchaseRecord.fetchOne(db, key: request.orderID) else {
        throw ServiceError.notFound("order \(FieldValidation.quoted(request.orderID))")
      }
      // A merged buyer is reported as the survivor, as every other response does.
      var purchase = try record.message(db)
      let (customer, _) = try CustomerLookup.live(db, id: record.customerID)
      purchase.customerID = customer.id
      return .with { $0.purchase = purchase }
    }
  }
}
