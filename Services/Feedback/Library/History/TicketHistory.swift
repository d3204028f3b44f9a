import Contracts
import Foundation
import GRDB
import SwiftProtobuf

/// A ticket's history: events are only appended, inside the write that made the change, so the
/// history never tells of a change that did not happen (or misses one that did).
enum TicketHistory {
  /// The actor of changes the service makes on its own (the SLA scan).
  static let systemActor = "system"

  /// Appends `event`.
  static func append(_ event: TicketEventRecord, _ db: Database) throws {
    var event = event
    try event.insert(db)
  }
}

extension TicketEventRecord {
  var message: Crm_Feedback_V1_TicketEvent {
    .with {
      $0.sequence = id ?? 0
      $0.ticketID = ticketID
      $0.type = Crm_Feedback_V1_TicketEventType(rawValue: type) ?? .unspecified
      $0.actorID = actorID
      $0.time = Google_Protobuf_Timestamp(storeDate: occurredAt)
      $0.fromStatus = Crm_Feedback_V1_TicketStatus(rawValue: fromStatus) ?? .unspecified
      $0.toStatus = Crm_Feedback_V1_TicketStatus(rawValue: toStatus) ?? .unspecified
      $0.clock = Crm_Feedback_V1_SlaClockKind(rawValue: clockKind) ?? .unspecified
      $0.ownerID = ownerID
      $0.note = note
      $0.csatScore = Int32(csatScore)
      $0.priority = Crm_Feedback_V1_Priority(rawValue: priority) ?? .unspecified
      $0.teamID = teamID
    }
  }
}
