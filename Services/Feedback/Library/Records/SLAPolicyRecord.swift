import Foundation
import GRDB

/// A row of `sla_policy`: the response times for the tickets it selects.
///
/// A selector of 0 (or an empty category prefix) matches anything; policies are tried in
/// ascending `rank` and the first match wins, so operators order specific before general.
struct SLAPolicyRecord: Codable, Hashable, FetchableRecord, PersistableRecord {
  static let databaseTableName = "sla_policy"

  var id: String
  var rank: Int
  /// `Crm_Feedback_V1_TicketKind` raw value, 0 for any.
  var kind: Int
  /// `Crm_Feedback_V1_Priority` raw value, 0 for any.
  var priority: Int
  /// `Crm_Feedback_V1_IntakeChannel` raw value, 0 for any.
  var channel: Int
  /// A category path selecting itself and its descendants; empty for any.
  var categoryPrefix: String
  var firstResponseSeconds: Int
  var nextUpdateSeconds: Int
  var resolutionSeconds: Int
  /// Segmentation's tier the policy selects; empty for any.
  var customerTier: String = ""
  /// A `BusinessCalendar` as JSON; empty when every hour counts.
  var calendar: String = ""

  enum CodingKeys: String, CodingKey {
    case id, rank, kind, priority, channel, calendar
    case customerTier = "customer_tier"
    case categoryPrefix = "category_prefix"
    case firstResponseSeconds = "first_response_seconds"
    case nextUpdateSeconds = "next_update_seconds"
    case resolutionSeconds = "resolution_seconds"
  }

  enum Columns {
    static let id = Column(CodingKeys.id)
    static let rank = Column(CodingKeys.rank)
  }
}
