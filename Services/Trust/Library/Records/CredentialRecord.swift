import Contracts
import Foundation
import GRDB
import ServiceKit
import SwiftProtobuf

/// A row of `credential`: a certification or inspection report of a business, valid for a period.
struct CredentialRecord: Codable, Hashable, FetchableRecord, PersistableRecord {
  static let databaseTableName = "credential"

  var id: String
  var businessID: String
  /// `Crm_Trust_V1_CredentialKind` raw value.
  var kind: Int
  var title: String
  var issuer: String
  var number: String
  var validFrom: Date
  var validUntil: Date
  var documentRef: String
  var createdAt: Date

  enum CodingKeys: String, CodingKey {
    case id, kind, title, issuer, number
    case businessID = "business_id"
    case validFrom = "valid_from"
    case validUntil = "valid_until"
    case documentRef = "document_ref"
    case createdAt = "created_at"
  }

  var message: Crm_Trust_V1_Credential {
    .with {
      $0.credentialID = id
      $0.businessID = businessID
      $0.kind = Crm_Trust_V1_CredentialKind(rawValue: kind) ?? .unspecified
      $0.title = title
      $0.issuer = issuer
      $0.number = number
      $0.validFrom = Google_Protobuf_Timestamp(storeDate: validFrom)
      $0.validUntil = Google_Protobuf_Timestamp(storeDate: validUntil)
      $0.documentRef = documentRef
    }
  }
}
