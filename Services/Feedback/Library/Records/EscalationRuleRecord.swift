import Foundation
import GRDB

/// A row of `escalation_rule`: what the SLA scan does when a clock of the tickets it selects
/// approaches its due time or is breached.
struct EscalationRuleRecord: Codable, Hashable, FetchableRecord, PersistableRecord {
  static let databaseTableName = "escalation_rule"

  var id: String
  /// `Crm_Feedback_V1_SlaClockKind` raw value, 0 for any.
  var clockKind: Int
  /// `Crm_Feedback_V1_EscalationTrigger` raw value.
  var trigger: Int
  /// For approaching: the share of the clock's span (start to due) that has passed, 1 to 99.
  var elapsedPercent: Int
  /// `Crm_Feedback_V1_Priority` raw value, 0 for any.
  var priority: Int
  /// `Crm_Feedback_V1_TicketKind` raw value, 0 for any.
  var kind: Int
  var raisePriority: Bool
  var reassignOwnerID: String
  var reassignTeamID: String
  var notifyAccountManager: Bool
  var createdAt: Date

  enum CodingKeys: String, CodingKey {
    case id, trigger, priority, kind
    case clockKind = "clock_kind"
    case elapsedPercent = "elapsed_percent"
    case raisePriority = "raise_priority"
    case reassignOwnerID = "reassign_owner_id"
    case reassignTeamID = "reassign_team_id"
    case notifyAccountManager = "notify_account_manager"
    case createdAt = "created_at"
  }

  enum Columns {
    static let id = Column(CodingKeys.id)
  }
}
