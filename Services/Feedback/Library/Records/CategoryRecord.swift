import Foundation
import GRDB

/// A row of `category`: one node of the operator's category tree.
struct CategoryRecord: Codable, Hashable, FetchableRecord, PersistableRecord {
  static let databaseTableName = "category"

  /// "delivery/late"; the primary key.
  var path: String
  /// Nil at the top of the tree; a foreign key to `category.path` otherwise.
  var parentPath: String?
  var displayName: String
  var createdAt: Date

  enum CodingKeys: String, CodingKey {
    case path
    case parentPath = "parent_path"
    case displayName = "display_name"
    case createdAt = "created_at"
  }

  enum Columns {
    static let path = Column(CodingKeys.path)
  }
}
