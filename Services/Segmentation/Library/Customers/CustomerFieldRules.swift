import Contracts
import Foundation
import ServiceKit

/// The rules for each caller-set profile field, shared by create and update so that both
/// accept and normalize exactly the same values.
enum CustomerFieldRules {
  static let maxTags = 50

  static func type(_ value: Crm_Segmentation_V1_CustomerType, field: String) throws(ServiceError)
    -> Crm_Segmentation_V1_CustomerType
  {
    try FieldValidation.requireKnown(value, field: field)
    return value
  }

  static func displayName(_ value: String, field: String) throws(ServiceError) -> String {
    try FieldValidation.requireText(value, field: field, maxLength: 200)
    return value.trimmingCharacters(in: .whitespacesAndNewlines)
  }

  static func email(_ value: String, field: String) throws(ServiceError) -> String {
    try FieldValidation.email(value, field: field)
    return value.lowercased()
  }

  static func phone(_ value: String, field: String) throws(ServiceError) -> String {
    try FieldValidation.e164Phone(value, field: field)
    return value
  }

  static func sourceChannel(_ value: String, field: String) throws(ServiceError) -> String {
    try FieldValidation.limitText(value, field: field, maxLength: 64)
    return value
  }

  static func accountManager(_ value: String, field: String) throws(ServiceError) -> String {
    try FieldValidation.limitText(value, field: field, maxLength: 128)
    return value
  }

  static func timeZone(_ value: String, field: String) throws(ServiceError) -> String {
    try FieldValidation.timeZone(value, field: field)
    return value
  }

  /// Trimmed, without duplicates, sorted: a tag set has one spelling.
  static func tags(_ values: [String], field: String) throws(ServiceError) -> [String] {
    if values.count > maxTags {
      throw .invalidArgument(field: field, reason: "at most \(maxTags) tags")
    }
    for (index, tag) in values.enumerated() {
      try FieldValidation.requireText(tag, field: "\(field)[\(index)]", maxLength: 64)
    }
    return Array(Set(values.map { $0.trimmingCharacters(in: .whitespaces) })).sorted()
  }
}
