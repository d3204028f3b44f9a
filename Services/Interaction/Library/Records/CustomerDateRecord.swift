import Foundation
import GRDB

/// A row of `customer_date`: a birthday or anniversary the daily scan turns into a moment.
struct CustomerDateRecord: Codable, Hashable, FetchableRecord, PersistableRecord {
  static let databaseTableName = "customer_date"

  var customerID: String
  /// `birthday` or `anniversary` (the moment kind it starts).
  var kind: String
  var month: Int
  var day: Int
  /// 0 when unknown.
  var year: Int
  /// Used when no copy of the profile names a time zone; "" = UTC.
  var timeZone: String

  enum CodingKeys: String, CodingKey {
    case kind, month, day, year
    case customerID = "customer_id"
    case timeZone = "time_zone"
  }
}
