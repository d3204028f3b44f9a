import Contracts
import Foundation
import GRDB
import ServiceKit
import SwiftProtobuf

/// The changes an UpdateCustomer request asks for: only the masked fields, each validated by
/// the same rule as on create.
struct CustomerPatch: Sendable {
  private var changes: [@Sendable (inout CustomerRecord) -> Void] = []
  /// The new tag set when `tags` is masked.
  private(set) var tags: [String]?

  /// Paths the service owns; naming one is an error rather than silently ignored.
  static let outputOnlyPaths: Set<String> = [
    "customer_id", "create_time", "update_time", "total_spend", "annual_spend", "total_margin",
    "purchases_last_3_months", "first_purchase_time", "last_purchase_time",
    "preferred_categories", "purchase_count", "identities", "merged_customer_ids", "tier",
    "lifecycle_stage", "last_activity_time", "loyalty_tier", "tier_rule_id", "tier_reason",
    "rfm_recency", "rfm_frequency", "rfm_monetary", "lifetime_value",
  ]

  init(validating customer: Crm_Segmentation_V1_Customer, mask: Google_Protobuf_FieldMask)
    throws(ServiceError)
  {
    if mask.paths.isEmpty {
      throw .invalidArgument(field: "update_mask", reason: "must name at least one field to change")
    }
    for (index, path) in mask.paths.enumerated() {
      let maskField = "update_mask.paths[\(index)]"
      let field = "customer.\(path)"
      switch path {
      case "type":
        let value = try CustomerFieldRules.type(customer.type, field: field)
        changes.append { $0.type = value.rawValue }
      case "display_name":
        let value = try CustomerFieldRules.displayName(customer.displayName, field: field)
        changes.append { $0.displayName = value }
      case "email":
        let value = try CustomerFieldRules.email(customer.email, field: field)
        changes.append { $0.email = value }
      case "phone":
        let value = try CustomerFieldRules.phone(customer.phone, field: field)
        changes.append { $0.phone = value }
      case "source_channel":
        let value = try CustomerFieldRules.sourceChannel(customer.sourceChannel, field: field)
        changes.append { $0.sourceChannel = value }
      case "account_manager":
        let value = try CustomerFieldRules.accountManager(customer.accountManager, field: field)
        changes.append { $0.accountManager = value }
      case "time_zone":
        let value = try CustomerFieldRules.timeZone(customer.timeZone, field: field)
        changes.append { $0.timeZone = value }
      case "tags":
        tags = try CustomerFieldRules.tags(customer.tags, field: field)
      case _ where Self.outputOnlyPaths.contains(path):
        throw .invalidArgument(
          field: maskField, reason: "\(FieldValidation.quoted(path)) is output only and cannot be changed")
      default:
        throw .invalidArgument(field: maskField, reason: "\(FieldValidation.quoted(path)) is not a field of Customer")
      }
    }
  }

  /// Writes the changes to `record`'s row, bumping its update time.
  func apply(_ db: Database, to record: CustomerRecord, now: Date) throws -> CustomerRecord {
    var updated = record
    for change in changes { change(&updated) }
    updated.updatedAt = now
    try updated.update(db)
    if let tags {
      try CustomerTagRecord.filter(CustomerTagRecord.Columns.customerID == record.id).deleteAll(db)
      for tag in tags {
        try CustomerTagRecord(customerID: record.id, tag: tag).insert(db)
      }
    }
    return updated
  }
}
