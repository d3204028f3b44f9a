import Foundation
import GRDB

/// A row of `tag_rule`: an automatic tag and the condition (protobuf bytes of
/// `crm.segmentation.v1.Condition`, validated before it is stored) that gives it.
struct TagRuleRecord: Codable, FetchableRecord, PersistableRecord {
  static let databaseTableName = "tag_rule"

  var id: String
  var tag: String
  var condition: Data
  var description: String
  var createdAt: Date

  enum CodingKeys: String, CodingKey {
    case id, tag, condition, description
    case createdAt = "created_at"
  }

  enum Columns {
    static let id = Column(CodingKeys.id)
    static let tag = Column(CodingKeys.tag)
  }
}
