import Foundation
import GRDB

/// A row of `ledger_entry`: one change of a customer's points, never updated or deleted.
struct LedgerEntryRecord: Codable, Hashable, FetchableRecord, PersistableRecord {
  static let databaseTableName = "ledger_entry"

  var id: String
  var customerID: String
  /// earn, redeem, expire, reverse or adjust.
  var kind: String
  /// Signed: credits positive, debits negative.
  var points: Int64
  var reason: String
  var createdAt: Date

  enum CodingKeys: String, CodingKey {
    case id, kind, points, reason
    case customerID = "customer_id"
    case createdAt = "created_at"
  }

  enum Columns {
    static let id = Column(CodingKeys.id)
    static let customerID = Column(CodingKeys.customerID)
    static let createdAt = Column(CodingKeys.createdAt)
  }
}
