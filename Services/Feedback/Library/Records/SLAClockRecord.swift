import Foundation
import GRDB

/// A row of `sla_clock`: one run of one of a ticket's three clocks.
///
/// A ticket can have several rows of a kind (the next-update clock restarts after every
/// progress report, a reopening restarts the resolution clock); the latest is the current one.
struct SLAClockRecord: Codable, Hashable, FetchableRecord, MutablePersistableRecord {
  static let databaseTableName = "sla_clock"

  /// Autoincremented; orders the runs of a kind.
  var id: Int64?
  var ticketID: String
  /// `Crm_Feedback_V1_SlaClockKind` raw value.
  var kind: Int
  /// `Crm_Feedback_V1_SlaClockState` raw value.
  var state: Int
  var startedAt: Date
  /// Moves later by the time spent paused.
  var dueAt: Date
  /// Set while paused.
  var pausedAt: Date?
  /// Set once met or breached.
  var endedAt: Date?
  /// When the next escalation rule of this run comes due (approaching); nil when none is left.
  /// Indexed with `state`, so the scan reads only the clocks that need it.
  var escalateAt: Date? = nil

  enum CodingKeys: String, CodingKey {
    case id, kind, state
    case ticketID = "ticket_id"
    case startedAt = "started_at"
    case dueAt = "due_at"
    case pausedAt = "paused_at"
    case endedAt = "ended_at"
    case escalateAt = "escalate_at"
  }

  enum Columns {
    static let id = Column(CodingKeys.id)
    static let ticketID = Column(CodingKeys.ticketID)
    static let kind = Column(CodingKeys.kind)
    static let state = Column(CodingKeys.state)
    static let dueAt = Column(CodingKeys.dueAt)
    static let escalateAt = Column(CodingKeys.escalateAt)
  }

  mutating func didInsert(_ inserted: InsertionSuccess) {
    id = inserted.rowID
  }
}
