import Contracts
import Foundation
import GRDB
import ServiceKit

/// A profile as a caller may set it, validated; the service-owned fields (id, times, figures)
/// are never taken from the caller.
struct NewCustomer {
  var type: Crm_Segmentation_V1_CustomerType
  var displayName: String
  var email: String
  var phone: String
  var sourceChannel: String
  var accountManager: String
  var timeZone: String
  var tags: [String]

  init(validating customer: Crm_Segmentation_V1_Customer) throws(ServiceError) {
    type = try CustomerFieldRules.type(customer.type, field: "customer.type")
    displayName = try CustomerFieldRules.displayName(
      customer.displayName, field: "customer.display_name")
    email = try CustomerFieldRules.email(customer.email, field: "customer.email")
    phone = try CustomerFieldRules.phone(customer.phone, field: "customer.phone")
    sourceChannel = try CustomerFieldRules.sourceChannel(
      customer.sourceChannel, field: "customer.source_channel")
    accountManager = try CustomerFieldRules.accountManager(
      customer.accountManager, field: "customer.account_manager")
    timeZone = try CustomerFieldRules.timeZone(customer.timeZone, field: "customer.time_zone")
    tags = try CustomerFieldRules.tags(customer.tags, field: "customer.tags")
  }

  func insert(_ db: Database, id: String, now: Date) throws -> CustomerRecord {
    let record = CustomerRecord(
      id: id, type: type.rawValue, displayName: displayName, email: email, phone: phone,
      sourceChannel: sourceChannel, accountManager: accountManager, timeZone: timeZone,
      createdAt: now, updatedAt: now)
    try record.insert(db)
    for tag in tags {
      try CustomerTagRecord(customerID: id, tag: tag).insert(db)
    }
    return record
  }
}
