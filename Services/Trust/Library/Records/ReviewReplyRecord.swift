import Foundation
import GRDB

/// A row of `review_reply`: the business's answer to a review, public or private.
struct ReviewReplyRecord: Codable, Hashable, FetchableRecord, PersistableRecord {
  static let databaseTableName = "review_reply"

  var id: String
  var reviewID: String
  var author: String
  var text: String
  /// `Crm_Trust_V1_ReplyVisibility` raw value.
  var visibility: Int
  var createdAt: Date

  enum CodingKeys: String, CodingKey {
    case id, author, text, visibility
    case reviewID = "review_id"
    case createdAt = "created_at"
  }
}
