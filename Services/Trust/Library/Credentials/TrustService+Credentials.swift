import Contracts
import Foundation
import GRDB
import GRPCCore
import ServiceKit

extension TrustService {
  /// Days ahead the expiry scan looks when the caller does not say.
  static let defaultExpiryWindowDays = 30

  public func createCredential(
    request: Crm_Trust_V1_CreateCredentialRequest,
    context: ServerContext
  ) async throws -> Crm_Trust_V1_CreateCredentialResponse {
    let key = try IdempotencyLedger.validatedKey(request.idempotencyKey.key, field: "idempotency_key.key")
    let credential = request.credential
    try FieldValidation.requireID(credential.businessID, field: "credential.business_id")
    try FieldValidation.requireKnown(credential.kind, field: "credential.kind")
    try FieldValidation.requireText(credential.title, field: "credential.title", maxLength: 200)
    try FieldValidation.requireText(credential.issuer, field: "credential.issuer", maxLength: 200)
    try FieldValidation.requireID(credential.number, field: "credential.number")
    try FieldValidation.requireText(credential.documentRef, field: "credential.document_ref", maxLength: 512)
    guard credential.hasValidFrom else {
      throw ServiceError.invalidArgument(field: "credential.valid_from", reason: "is required")
    }
    guard credential.hasValidUntil, credential.validUntil.date > credential.validFrom.date else {
      throw ServiceError.invalidArgument(field: "credential.valid_until", reason: "must be after valid_from")
    }
    let now = clock.now()
    let record = CredentialRecord(
      id: UUID().uuidString.lowercased(), businessID: credential.businessID, kind: credential.kind.rawValue,
      title: credential.title, issuer: credential.issuer, number: credential.number,
      validFrom: credential.validFrom.date, validUntil: credential.validUntil.date,
      documentRef: credential.documentRef, createdAt: now)
    let result = try await store.database.write { db in
      try IdempotencyLedger.run(db, scope: "CreateCredential", key: key, request: request, now: now) { db in
        let existing = try CredentialRecord
          .filter(Column("issuer") == record.issuer && Column("number") == record.number).fetchCount(db)
        guard existing == 0 else {
          throw ServiceError.alreadyExists("\(record.issuer) number \(record.number) is already recorded")
        }
        try record.insert(db)
        return Crm_Trust_V1_CreateCredentialResponse.with { $0.credential = record.message }
      }
    }
    return try result.get()
  }

  public func listCredentials(
    request: Crm_Trust_V1_ListCredentialsRequest,
    context: ServerContext
  ) async throws -> Crm_Trust_V1_ListCredentialsResponse {
    try FieldValidation.requireID(request.businessID, field: "business_id")
    let now = clock.now()
    return try await store.database.read { db in
      try .with {
        $0.credentials = try CredentialRecord
          .filter(Column("business_id") == request.businessID && Column("valid_until") > now && Column("valid_from") <= now)
          .order(Column("valid_until"), Column("id"))
          .fetchAll(db).map(\.message)
      }
    }
  }

  public func listExpiringCredentials(
    request: Crm_Trust_V1_ListExpiringCredentialsRequest,
    context: ServerContext
  ) async throws -> Crm_Trust_V1_ListExpiringCredentialsResponse {
    try FieldValidation.require(request.withinDays, in: 0...366, field: "within_days")
    let days = request.withinDays == 0 ? Self.defaultExpiryWindowDays : Int(request.withinDays)
    let now = clock.now()
    let horizon = now.addingTimeInterval(TimeInterval(days) * 86_400)
    return try await store.database.read { db in
      try .with {
        $0.credentials = try CredentialRecord
          .filter(Column("valid_until") > now && Column("valid_until") <= horizon)
          .order(Column("valid_until"), Column("id"))
          .fetchAll(db).map(\.message)
      }
    }
  }

  public func createCaseStudy(
    request: Crm_Trust_V1_CreateCaseStudyRequest,
    context: ServerContext
  ) async throws -> Crm_Trust_V1_CreateCaseStudyResponse {
    let key = try IdempotencyLedger.validatedKey(request.idempotencyKey.key, field: "idempotency_key.key")
    let study = request.caseStudy
    try FieldValidation.requireID(study.businessID, field: "case_study.business_id")
    try FieldValidation.requireText(study.customerName, field: "case_study.customer_name", maxLength: 200)
    try FieldValidation.requireText(study.industry, field: "case_study.industry", maxLength: 100)
    try FieldValidation.requireText(study.outcome, field: "case_study.outcome", maxLength: 5000)
    try FieldValidation.limitText(study.documentRef, field: "case_study.document_ref", maxLength: 512)
    let now = clock.now()
    let record = CaseStudyRecord(
      id: UUID().uuidString.lowercased(), businessID: study.businessID, customerName: study.customerName,
      industry: study.industry, outcome: study.outcome, documentRef: study.documentRef, createdAt: now)
    let result = try await store.database.write { db in
      try IdempotencyLedger.run(db, scope: "CreateCaseStudy", key: key, request: request, now: now) { db in
        try record.insert(db)
        return Crm_Trust_V1_CreateCaseStudyResponse.with { $0.caseStudy = record.message }
      }
    }
    return try result.get()
  }

  public func listCaseStudies(
    request: Crm_Trust_V1_ListCaseStudiesRequest,
    context: ServerContext
  ) async throws -> Crm_Trust_V1_ListCaseStudiesResponse {
    try FieldValidation.requireID(request.businessID, field: "business_id")
    return try await store.database.read { db in
      try .with {
        $0.caseStudies = try CaseStudyRecord.filter(Column("business_id") == request.businessID)
          .order(Column("created_at").desc, Column("id").desc).fetchAll(db).map(\.message)
      }
    }
  }
}
