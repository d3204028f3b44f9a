import Contracts
import Foundation
import ServiceKit

/// A channel identity, validated and in its one spelling (emails lower-cased), so the same
/// person's id cannot be linked twice under two spellings.
struct IdentityKey: Hashable {
  var channel: Crm_Segmentation_V1_IdentityChannel
  var externalID: String

  /// Validates `identity`, whose fields are named under `field` (e.g. `identity`).
  init(validating identity: Crm_Segmentation_V1_ChannelIdentity, field: String) throws(ServiceError)
  {
    try FieldValidation.requireKnown(identity.channel, field: "\(field).channel")
    let idField = "\(field).external_id"
    switch identity.channel {
    case .phone:
      try FieldValidation.requireID(identity.externalID, field: idField)
      try FieldValidation.e164Phone(identity.externalID, field: idField)
      externalID = identity.externalID
    case .email:
      try FieldValidation.requireID(identity.externalID, field: idField)
      try FieldValidation.email(identity.externalID, field: idField)
      externalID = identity.externalID.lowercased()
    default:
      try FieldValidation.requireText(identity.externalID, field: idField, maxLength: 128)
      externalID = identity.externalID.trimmingCharacters(in: .whitespacesAndNewlines)
    }
    channel = identity.channel
  }
}
