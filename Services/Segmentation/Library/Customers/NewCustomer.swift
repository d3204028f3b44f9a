import Contracts
import Foundation
import GRDB
import ServiceKit

/// A profile as a caller may set it, validated; the service-owned fields (id, times) are
/// never taken from the caller.
struct NewCustomer {
  var type: Crm_Segmentation_V1_CustomerType
  var displayName: String
  var email: String
  var phone: String
  var sourceChannel: String
  var accountManager: String
  var timeZone: String
  var tags: [String]

  static let maxTags = 50

  init(validating customer: Crm_Segmentation_V1_Customer) throws(ServiceError) {
    try FieldValidation.requireKnown(customer.type, field: "customer.type")
    try FieldValidation.requireText(customer.displayName, field: "customer.display_name", maxLength: 200)
    try FieldValidation.email(customer.email, field: "customer.email")
    try FieldValidation.e164Phone(customer.phone, field: "customer.phone")
    try FieldValidation.limitText(customer.sourceChannel, field: "customer.source_channel", maxLength: 64)
    try FieldValidation.limitText(customer.accountManager, field: "customer.account_manager", maxLength: 128)
    try FieldValidation.timeZone(customer.timeZone, field: "customer.time_zone")
    if customer.tags.count > Self.maxTags {
      throw .invalidArgument(field: "customer.tags", reason: "at most \(Self.maxTags) tags")
    }
    for (index, tag) in customer.tags.enumerated() {
      try FieldValidation.requireText(tag, field: "customer.tags[\(index)]", maxLength: 64)
    }
    type = customer.type
    displayName = customer.displayName.trimmingCharacters(in: .whitespacesAndNewlines)
    email = customer.email.lowercased()
    phone = customer.phone
    sourceChannel = customer.sourceChannel
    accountManager = customer.accountManager
    timeZone = customer.timeZone
    tags = Array(Set(customer.tags.map { $0.trimmingCharacters(in: .whitespaces) })).sorted()
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
