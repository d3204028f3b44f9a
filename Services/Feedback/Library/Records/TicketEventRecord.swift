import Foundation
import GRDB

/// A row of `ticket_event`: one entry of a ticket's history. Rows are only ever inserted.
struct TicketEventRecord: Codable, Hashable, FetchableRecord, MutablePersistableRecord {
  static let databaseTableName = "ticket_event"

  /// Autoincremented; the history's order and its paging cursor.
  var id: Int64?
  var ticketID: String
  /// `Crm_Feedback_V1_TicketEventType` raw value.
  var type: Int
  var actorID: String
  var occurredAt: Date
  /// `Crm_Feedback_V1_TicketStatus` raw values, 0 when the event is not a status change.
  var fromStatus: Int = 0
  var toStatus: Int = 0
  /// `Crm_Feedback_V1_SlaClockKind` raw value, 0 when the event is not about a clock.
  var clockKind: Int = 0
  var ownerID: String = ""
  var note: String = ""
  var csatScore: Int = 0
  /// `Crm_Feedback_V1_Priority` raw value for priority changes, 0 otherwise.
  var priority: Int = 0
  var teamID: String = ""

  enum CodingKeys: String, CodingKey {
    case id, type, note, priority
    case teamID = "team_id"
    case ticketID = "ticket_id"
    case actorID = "actor_id"
    case occurredAt = "occurred_at"
    case fromStatus = "from_status"
    case toStatus = "to_status"
    case clockKind = "clock_kind"
    case ownerID = "owner_id"
    case csatScore = "csat_score"
  }

  enum Columns {
    static let id = Column(CodingKeys.id)
    static let ticketID = Column(CodingKeys.ticketID)
  }

  mutating func didInsert(_ inserted: InsertionSuccess) {
    id = inserted.rowID
  }
}
