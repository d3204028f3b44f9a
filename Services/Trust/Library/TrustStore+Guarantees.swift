import Foundation
import GRDB

extension TrustStore {
  /// Guarantees (with the four the playbook names as defaults), claims, credentials and case
  /// studies.
  static func registerGuaranteeMigration(_ migrator: inout DatabaseMigrator) {
    migrator.registerMigration("guarantees-claims-credentials-v1") { db in
      try db.create(table: GuaranteeRecord.databaseTableName) { t in
        t.column("id", .text).primaryKey()
        t.column("name", .text).notNull()
        t.column("terms", .text).notNull()
        t.column("window_days", .integer).notNull()
        t.column("payout_multiplier", .integer).notNull()
        t.column("refunds_order", .boolean).notNull()
        t.column("business_only", .boolean).notNull()
        t.column("response_hours", .integer).notNull()
        t.column("settlement", .text).notNull()
        t.column("position", .integer).notNull()
      }
      for guarantee in GuaranteeRecord.defaults { try guarantee.insert(db) }

      try db.create(table: ClaimRecord.databaseTableName) { t in
        t.column("id", .text).primaryKey()
        t.column("customer_id", .text).notNull()
        t.column("guarantee_id", .text).notNull().references(GuaranteeRecord.databaseTableName)
        t.column("order_id", .text).notNull()
        t.column("reason", .text).notNull()
        t.column("status", .integer).notNull()
        t.column("purchased_at", .datetime).notNull()
        t.column("order_amount_minor", .integer).notNull()
        t.column("currency", .text).notNull()
        t.column("payout_minor", .integer).notNull()
        t.column("filed_at", .datetime).notNull()
        t.column("response_due_at", .datetime).notNull()
        t.column("first_response_at", .datetime)
        t.column("decision", .integer).notNull().defaults(to: 0)
        t.column("decision_note", .text).notNull().defaults(to: "")
        t.column("decided_at", .datetime)
        t.column("settled_at", .datetime)
        t.column("settled_amount_minor", .integer)
        // One claim per guarantee per order.
        t.uniqueKey(["order_id", "guarantee_id"])
      }
      // The figures count claims by the time of each step.
      try db.create(index: "claim_by_filed", on: "claim", columns: ["filed_at"])
      try db.create(index: "claim_by_first_response", on: "claim", columns: ["first_response_at"])
      try db.create(index: "claim_by_decided", on: "claim", columns: ["decided_at"])
      try db.create(index: "claim_by_settled", on: "claim", columns: ["settled_at"])
      try db.create(index: "review_by_published", on: "review", columns: ["published_at"])
      try db.create(index: "review_by_created", on: "review", columns: ["created_at"])

      try db.create(table: CredentialRecord.databaseTableName) { t in
        t.column("id", .text).primaryKey()
        t.column("business_id", .text).notNull()
        t.column("kind", .integer).notNull()
        t.column("title", .text).notNull()
        t.column("issuer", .text).notNull()
        t.column("number", .text).notNull()
        t.column("valid_from", .datetime).notNull()
        t.column("valid_until", .datetime).notNull()
        t.column("document_ref", .text).notNull()
        t.column("created_at", .datetime).notNull()
        t.uniqueKey(["issuer", "number"])
      }
      try db.create(index: "credential_by_business", on: "credential", columns: ["business_id", "valid_until"])
      try db.create(index: "credential_by_expiry", on: "credential", columns: ["valid_until"])

      try db.create(table: CaseStudyRecord.databaseTableName) { t in
        t.column("id", .text).primaryKey()
        t.column("business_id", .text).notNull()
        t.column("customer_name", .text).notNull()
        t.column("industry", .text).notNull()
        t.column("outcome", .text).notNull()
        t.column("document_ref", .text).notNull()
        t.column("created_at", .datetime).notNull()
      }
      try db.create(index: "case_study_by_business", on: "case_study", columns: ["business_id", "created_at"])
    }
  }
}
