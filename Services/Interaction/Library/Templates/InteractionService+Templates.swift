import Contracts
import Foundation
import GRDB
import GRPCCore
import ServiceKit
import SwiftProtobuf

extension InteractionService {
  public func upsertTemplate(
    request: Crm_Interaction_V1_UpsertTemplateRequest,
    context: ServerContext
  ) async throws -> Crm_Interaction_V1_UpsertTemplateResponse {
    let template = request.template
    try FieldValidation.requireID(template.templateID, field: "template.template_id")
    try FieldValidation.requireText(template.body, field: "template.body", maxLength: 5000)
    _ = try TemplateText(parsing: template.body, field: "template.body")
    let record = TemplateRecord(id: template.templateID, body: template.body, updatedAt: clock.now())
    try await store.database.write { db in try record.save(db) }
    return .with { $0.template = record.message }
  }

  public func renderTemplate(
    request: Crm_Interaction_V1_RenderTemplateRequest,
    context: ServerContext
  ) async throws -> Crm_Interaction_V1_RenderTemplateResponse {
    try FieldValidation.requireID(request.templateID, field: "template_id")
    try FieldValidation.requireID(request.customerID, field: "customer_id")
    guard let template = try await store.database.read({ try TemplateRecord.fetchOne($0, key: request.templateID) }) else {
      throw ServiceError.notFound("template \(FieldValidation.quoted(request.templateID))")
    }
    let facts = try await customerFacts(request.customerID)
    if facts.isFresh {
      let now = clock.now()
      try await store.database.write { db in try facts.save(db, now: now) }
    }
    guard facts.source != .default || !facts.displayName.isEmpty else {
      throw ServiceError.unavailable("no profile of customer \(FieldValidation.quoted(request.customerID)): segmentation did not answer and no copy is kept")
    }
    let text = try TemplateText(parsing: template.body, field: "template.body").render(facts)
    return .with { $0.text = text }
  }
}

extension TemplateRecord {
  var message: Crm_Interaction_V1_Template {
    .with {
      $0.templateID = id
      $0.body = body
      $0.updateTime = Google_Protobuf_Timestamp(storeDate: updatedAt)
    }
  }
}
