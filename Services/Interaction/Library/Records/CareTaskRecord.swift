import Foundation
import GRDB

/// A row of `care_task`: one scheduled step of a care plan for one customer.
struct CareTaskRecord: Codable, Hashable, FetchableRecord, PersistableRecord {
  static let databaseTableName = "care_task"

  var id: String
  var customerID: String
  var momentID: String
  var momentKind: String
  var type: String
  /// `Crm_Interaction_V1_Channel` raw value.
  var channel: Int
  var ownerRole: String
  var owner: String
  var templateID: String
  var transactional: Bool
  var tier: String
  /// When the plan wanted it.
  var plannedAt: Date
  /// When it is due, after caps and quiet hours.
  var dueAt: Date
  /// `Crm_Interaction_V1_TaskStatus` raw value.
  var status: Int
  /// What moved or suppressed it: `cap`, `quiet_hours`, `opt_out`; nil when nothing did.
  var deferralKind: String?
  var deferralReason: String
  var completedAt: Date?
  var cancelReason: String
  var createdAt: Date

  enum CodingKeys: String, CodingKey {
    case id, type, channel, owner, transactional, tier, status
    case customerID = "customer_id"
    case momentID = "moment_id"
    case momentKind = "moment_kind"
    case ownerRole = "owner_role"
    case templateID = "template_id"
    case plannedAt = "planned_at"
    case dueAt = "due_at"
    case deferralKind = "deferral_kind"
    case deferralReason = "deferral_reason"
    case completedAt = "completed_at"
    case cancelReason = "cancel_reason"
    case createdAt = "created_at"
  }
}
