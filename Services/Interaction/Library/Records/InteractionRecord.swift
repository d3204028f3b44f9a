import Foundation
import GRDB

/// A row of `interaction`: one recorded touch with a customer.
struct InteractionRecord: Codable, Hashable, FetchableRecord, PersistableRecord {
  static let databaseTableName = "interaction"

  var id: String
  var customerID: String
  var type: String
  /// `Crm_Interaction_V1_Channel` raw value.
  var channel: Int
  var content: String
  var owner: String
  var plannedAt: Date?
  var actualAt: Date
  var customerReply: String
  /// `Crm_Interaction_V1_Mood` raw value.
  var mood: Int
  /// 1-5, or 0 when the customer gave none.
  var score: Int
  var createdAt: Date
  /// The customer's tier when the touch was logged.
  var tier: String
  /// The conversation; the first touch's id.
  var threadID: String
  /// The care task this touch carried out.
  var taskID: String?

  enum CodingKeys: String, CodingKey {
    case id, type, channel, content, owner, mood, score
    case customerID = "customer_id"
    case plannedAt = "planned_at"
    case actualAt = "actual_at"
    case customerReply = "customer_reply"
    case createdAt = "created_at"
    case tier
    case threadID = "thread_id"
    case taskID = "task_id"
  }
}
