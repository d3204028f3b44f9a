import Foundation
import GRDB

/// A row of `activity`: an activity another service reported, kept by its id so that a
/// repeated report is recognised.
struct ActivityRecord: Codable, FetchableRecord, PersistableRecord {
  static let databaseTableName = "activity"

  var activityID: String
  var customerID: String
  var kind: String
  var activityAt: Date
  var recordedAt: Date
  var requestBody: Data

  enum CodingKeys: String, CodingKey {
    case kind
    case activityID = "activity_id"
    case customerID = "customer_id"
    case activityAt = "activity_at"
    case recordedAt = "recorded_at"
    case requestBody = "request_body"
  }
}
