import Contracts
import Foundation
import GRDB
import GRPCCore
import ServiceKit

extension SegmentationService {
  /// `ExportCustomer`: everything held on a live customer.
  public func exportCustomer(
    request: Crm_Segmentation_V1_ExportCustomerRequest,
    context: ServerContext
  ) async throws -> Crm_Segmentation_V1_ExportCustomerResponse {
    try FieldValidation.requireID(request.customerID, field: "customer_id")
    let now = clock.now()
    return try await store.database.read { db in
      let (record, _) = try CustomerLookup.live(db, id: request.customerID)
      let purchases = try PurchaseRecord.fetchAll(
        db, sql: "SELECT * FROM purchase WHERE customer_id = ? ORDER BY purchased_at, order_id",
        arguments: [record.id])
      let refunds = try RefundRecord.fetchAll(
        db,
        sql: """
          SELECT r.* FROM refund r JOIN purchase p ON p.order_id = r.order_id
          WHERE p.customer_id = ? ORDER BY r.recorded_at, r.id
          """,
        arguments: [record.id])
      let currencies = Dictionary(uniqueKeysWithValues: purchases.map { ($0.orderID, $0.currency) })
      let activities = try ActivityRecord.fetchAll(
        db, sql: "SELECT * FROM activity WHERE customer_id = ? ORDER BY activity_at, activity_id",
        arguments: [record.id])
      let history = try ProfileChangeRecord.filter(ProfileChangeRecord.Columns.customerID == record.id)
        .order(ProfileChangeRecord.Columns.seq).fetchAll(db)
      return try .with {
        $0.customer = try CustomerProfile.message(db, record: record, now: now)
        $0.purchases = try purchases.map { try $0.message(db) }
        $0.refunds = refunds.map { $0.message(currency: currencies[$0.orderID] ?? "") }
        $0.activities = activities.map { activity in
          .with {
            $0.activityID = activity.activityID
            $0.kind = activity.kind
            $0.activityTime = .init(storeDate: activity.activityAt)
          }
        }
        $0.history = history.map(\.message)
      }
    }
  }

  /// `EraseCustomer`: the person is gone; their purchases stay as anonymous aggregates.
  public func eraseCustomer(
    request: Crm_Segmentation_V1_EraseCustomerRequest,
    context: ServerContext
  ) async throws -> Crm_Segmentation_V1_EraseCustomerResponse {
    try FieldValidation.requireID(request.customerID, field: "customer_id")
    let now = clock.now()
    try await store.database.write { db in
      guard var record = try CustomerRecord.fetchOne(db, key: request.customerID) else {
        throw ServiceError.notFound("customer \(FieldValidation.quoted(request.customerID))")
      }
      // A merged id is erased with the person it stands for.
      if let survivorID = record.mergedInto,
        let survivor = try CustomerRecord.fetchOne(db, key: survivorID)
      {
        record = survivor
      }
      guard record.erasedAt == nil else { return }
      let ids = [record.id] + (try String.fetchAll(
        db, sql: "SELECT id FROM customer WHERE merged_into = ?", arguments: [record.id]))
      for id in ids {
        try db.execute(sql: "DELETE FROM customer_identity WHERE customer_id = ?", arguments: [id])
        try db.execute(sql: "DELETE FROM customer_tag WHERE customer_id = ?", arguments: [id])
        try db.execute(sql: "DELETE FROM activity WHERE customer_id = ?", arguments: [id])
        try db.execute(
          sql: """
            UPDATE customer SET display_name = '', email = '', phone = '', account_manager = '',
              time_zone = '', stage_deadline_at = NULL, erased_at = ?, updated_at = ?
            WHERE id = ?
            """,
          arguments: [now, now, id])
      }
    }
    logger.info("customer erased", metadata: ["customer_id": "\(request.customerID)"])
    return .init()
  }
}
