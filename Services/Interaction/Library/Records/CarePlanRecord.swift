import Foundation
import GRDB

/// A row of `care_plan`: the steps a moment kind creates for customers of a tier ("" = any).
struct CarePlanRecord: Codable, Hashable, FetchableRecord, PersistableRecord {
  static let databaseTableName = "care_plan"

  var momentKind: String
  var tier: String
  var name: String
  /// JSON array of ``CareStepData``: a plan is read and written whole.
  var steps: String
  var updatedAt: Date

  enum CodingKeys: String, CodingKey {
    case tier, name, steps
    case momentKind = "moment_kind"
    case updatedAt = "updated_at"
  }
}

/// One step of a care plan as stored.
struct CareStepData: Codable, Hashable, Sendable {
  var type: String
  /// `Crm_Interaction_V1_Channel` raw value.
  var channel: Int
  var offsetSeconds: Int64
  var ownerRole: String
  var templateID: String
  var transactional: Bool
}

/// A care plan as the defaults spell it.
struct CarePlanDefinition: Sendable {
  var momentKind: String
  var tier: String
  var name: String
  var steps: [CareStepData]
}

extension CarePlanRecord {
  init(plan: CarePlanDefinition, updatedAt: Date) throws {
    self.init(
      momentKind: plan.momentKind, tier: plan.tier, name: plan.name,
      steps: String(decoding: try JSONEncoder().encode(plan.steps), as: UTF8.self), updatedAt: updatedAt)
  }

  func decodedSteps() throws -> [CareStepData] {
    try JSONDecoder().decode([CareStepData].self, from: Data(steps.utf8))
  }
}
