import Foundation
import GRDB

/// A row of `nps_answer`: one answer to an on-demand NPS survey (the survey id is the key).
struct NpsAnswerRecord: Codable, Hashable, FetchableRecord, PersistableRecord {
  static let databaseTableName = "nps_answer"

  var surveyID: String
  var customerID: String
  /// Empty when the survey was not about a ticket.
  var ticketID: String
  /// Empty when the survey was not about an agent.
  var agentID: String
  var score: Int
  var comment: String
  var submittedAt: Date

  enum CodingKeys: String, CodingKey {
    case score, comment
    case surveyID = "survey_id"
    case customerID = "customer_id"
    case ticketID = "ticket_id"
    case agentID = "agent_id"
    case submittedAt = "submitted_at"
  }
}
