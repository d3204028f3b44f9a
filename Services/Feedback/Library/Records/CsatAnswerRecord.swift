import Foundation
import GRDB

/// A row of `csat_answer`: a customer's satisfaction with one resolved ticket (at most one
/// per ticket, which is the primary key).
struct CsatAnswerRecord: Codable, Hashable, FetchableRecord, PersistableRecord {
  static let databaseTableName = "csat_answer"

  var ticketID: String
  var customerID: String
  /// The ticket's owner when the answer came; empty if it had none.
  var agentID: String
  var score: Int
  var comment: String
  var submittedAt: Date

  enum CodingKeys: String, CodingKey {
    case score, comment
    case ticketID = "ticket_id"
    case customerID = "customer_id"
    case agentID = "agent_id"
    case submittedAt = "submitted_at"
  }
}
