import Contracts
import Foundation

/// What happens to one bulk ticket, in time order, as calls the service would have answered:
/// the fill turns it into the rows those calls write, and a test replays it through the RPCs to
/// check that the two agree.
public struct BulkTicketPlan: Sendable {
  /// One call on the ticket.
  public enum Action: Sendable, Equatable {
    /// CreateTicket.
    case create(
      customerID: String, kind: Crm_Feedback_V1_TicketKind, priority: Crm_Feedback_V1_Priority,
      channel: Crm_Feedback_V1_IntakeChannel, category: String, text: String)
    /// AssignTicket.
    case assign(ownerID: String, teamID: String, actorID: String)
    /// TransitionTicket.
    case transition(to: Crm_Feedback_V1_TicketStatus, actorID: String)
    /// PostProgressUpdate.
    case progress(actorID: String, note: String)
    /// SubmitCsat.
    case csat(score: Int, comment: String)
    /// LinkTicketToIssue (the issue is one of the fill's, created before the ticket).
    case linkIssue(issueID: String, actorID: String)
  }

  /// One call and when it was made (whole seconds since 1970).
  public struct Step: Sendable, Equatable {
    /// Seconds since 1970.
    public var at: Int64
    public var action: Action

    /// When the call was made.
    public var date: Date { Date(timeIntervalSince1970: TimeInterval(at)) }
  }

  /// The ticket's id (the fill's own, in the service's UUID form).
  public var ticketID: String
  /// The calls, oldest first; the first is always `.create`.
  public var steps: [Step]
}

/// An operator-defined issue the fill creates and links tickets of its category to.
public struct BulkIssue: Sendable, Equatable {
  public var id: String
  public var title: String
  public var category: String
  /// Seconds since 1970.
  public var createdAt: Int64
}
