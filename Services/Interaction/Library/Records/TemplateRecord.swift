import Foundation
import GRDB

/// A row of `message_template`: a message text with placeholders.
struct TemplateRecord: Codable, Hashable, FetchableRecord, PersistableRecord {
  static let databaseTableName = "message_template"

  var id: String
  var body: String
  var updatedAt: Date

  enum CodingKeys: String, CodingKey {
    case id, body
    case updatedAt = "updated_at"
  }
}
