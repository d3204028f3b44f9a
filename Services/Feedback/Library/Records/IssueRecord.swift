import Foundation
import GRDB

/// A row of `issue`: a problem an operator defined so that the tickets reporting it can be
/// counted together and their customers told the outcome.
struct IssueRecord: Codable, Hashable, FetchableRecord, PersistableRecord {
  static let databaseTableName = "issue"

  var id: String
  var title: String
  /// A category path, or empty.
  var category: String
  var createdAt: Date
  /// Empty until resolved.
  var resolution: String = ""
  var resolvedAt: Date?
  var resolvedBy: String = ""

  enum CodingKeys: String, CodingKey {
    case id, title, category, resolution
    case createdAt = "created_at"
    case resolvedAt = "resolved_at"
    case resolvedBy = "resolved_by"
  }
}

/// A row of `issue_ticket`: a ticket that reports an issue, and when its customer was told the
/// issue's outcome (nil until then; set once, which is what makes the notice exactly-once).
struct IssueTicketRecord: Codable, Hashable, FetchableRecord, PersistableRecord {
  static let databaseTableName = "issue_ticket"

  var issueID: String
  var ticketID: String
  var linkedAt: Date
  var notifiedAt: Date?

  enum CodingKeys: String, CodingKey {
    case issueID = "issue_id"
    case ticketID = "ticket_id"
    case linkedAt = "linked_at"
    case notifiedAt = "notified_at"
  }

  enum Columns {
    static let issueID = Column(CodingKeys.issueID)
    static let notifiedAt = Column(CodingKeys.notifiedAt)
  }
}
