import Foundation
import GRDB

/// A row of `retier_job`: a background pass over every profile after the tier rules changed;
/// `cursor` is the last customer id done, so the pass resumes after a restart.
struct RetierJobRecord: Codable, FetchableRecord, PersistableRecord {
  static let databaseTableName = "retier_job"

  var id: String
  /// `Crm_Segmentation_V1_RetierJob.State` raw value.
  var state: Int
  var total: Int64
  var done: Int64
  var changed: Int64
  var cursor: String
  var createdAt: Date
  var finishedAt: Date?

  enum CodingKeys: String, CodingKey {
    case id, state, total, done, changed, cursor
    case createdAt = "created_at"
    case finishedAt = "finished_at"
  }

  enum Columns {
    static let state = Column(CodingKeys.state)
    static let createdAt = Column(CodingKeys.createdAt)
  }
}
