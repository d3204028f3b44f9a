import Contracts
import Foundation
import GRDB
import ServiceKit
import SwiftProtobuf

/// A row of `case_study`: a B2B project and what it achieved for the customer.
struct CaseStudyRecord: Codable, Hashable, FetchableRecord, PersistableRecord {
  static let databaseTableName = "case_study"

  var id: String
  var businessID: String
  var customerName: String
  var industry: String
  var outcome: String
  var documentRef: String
  var createdAt: Date

  enum CodingKeys: String, CodingKey {
    case id, industry, outcome
    case businessID = "business_id"
    case customerName = "customer_name"
    case documentRef = "document_ref"
    case createdAt = "created_at"
  }

  var message: Crm_Trust_V1_CaseStudy {
    .with {
      $0.caseStudyID = id
      $0.businessID = businessID
      $0.customerName = customerName
      $0.industry = industry
      $0.outcome = outcome
      $0.documentRef = documentRef
      $0.createTime = Google_Protobuf_Timestamp(storeDate: createdAt)
    }
  }
}
