import Contracts
import Foundation

/// How soon a new ticket must get its first response: the playbook's response tiers
/// (urgent 10 minutes, normal 30, enquiry 1 hour), and complaints within 1 hour at most.
struct FirstResponsePolicy: Sendable {
  var urgent: TimeInterval = 10 * 60
  var normal: TimeInterval = 30 * 60
  var enquiry: TimeInterval = 60 * 60
  var complaint: TimeInterval = 60 * 60

  func deadline(kind: Crm_Feedback_V1_TicketKind, priority: Crm_Feedback_V1_Priority, from start: Date) -> Date {
    var allowed: TimeInterval =
      switch priority {
      case .urgent: urgent
      case .enquiry: enquiry
      default: normal
      }
    if kind == .complaint { allowed = min(allowed, complaint) }
    return start.addingTimeInterval(allowed)
  }
}
