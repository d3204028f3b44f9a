import Foundation
import GRDB

/// A row of `ticket`: one piece of feedback or one complaint.
struct TicketRecord: Codable, Hashable, FetchableRecord, PersistableRecord {
  static let databaseTableName = "ticket"

  var id: String
  var customerID: String
  /// `Crm_Feedback_V1_TicketKind` raw value.
  var kind: Int
  /// `Crm_Feedback_V1_Priority` raw value.
  var priority: Int
  /// `Crm_Feedback_V1_IntakeChannel` raw value.
  var channel: Int
  var category: String
  var text: String
  /// `Crm_Feedback_V1_TicketStatus` raw value.
  var status: Int
  var createdAt: Date
  var firstResponseDueAt: Date
  /// Empty until the ticket is assigned.
  var ownerID: String
  /// The latest resolution; the reopen window counts from it.
  var resolvedAt: Date?
  /// The `sla_policy` row chosen at intake; reopening restarts clocks from the same policy.
  var slaPolicyID: String
  /// Empty until a team is given (AssignTicket or an escalation rule).
  var teamID: String = ""

  enum CodingKeys: String, CodingKey {
    case id, kind, priority, channel, category, text, status
    case customerID = "customer_id"
    case createdAt = "created_at"
    case firstResponseDueAt = "first_response_due_at"
    case ownerID = "owner_id"
    case resolvedAt = "resolved_at"
    case slaPolicyID = "sla_policy_id"
    case teamID = "team_id"
  }

  enum Columns {
    static let status = Column(CodingKeys.status)
    static let ownerID = Column(CodingKeys.ownerID)
  }
}
