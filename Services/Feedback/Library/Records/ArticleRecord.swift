import Foundation
import GRDB

/// A row of `article`: a knowledge-base article. `article_fts` indexes its title and body
/// (kept in step by triggers).
struct ArticleRecord: Codable, Hashable, FetchableRecord, MutablePersistableRecord {
  static let databaseTableName = "article"

  /// Autoincremented; also the FTS row id.
  var id: Int64?
  var category: String
  var title: String
  var body: String
  var createdAt: Date
  var updatedAt: Date

  enum CodingKeys: String, CodingKey {
    case id, category, title, body
    case createdAt = "created_at"
    case updatedAt = "updated_at"
  }

  mutating func didInsert(_ inserted: InsertionSuccess) {
    id = inserted.rowID
  }
}
