import Foundation
import GRDB

/// A row of `contact_policy`: the frequency cap and quiet hours of a tier on a channel.
struct ContactPolicyRecord: Codable, Hashable, FetchableRecord, PersistableRecord {
  static let databaseTableName = "contact_policy"

  /// "" = any tier without a policy of its own.
  var tier: String
  /// `Crm_Interaction_V1_Channel` raw value; 0 = any channel.
  var channel: Int
  /// At most one non-transactional touch per this many local calendar days.
  var capDays: Int
  /// Local minutes after midnight; equal means no quiet hours.
  var quietStartMinute: Int
  var quietEndMinute: Int

  enum CodingKeys: String, CodingKey {
    case tier, channel
    case capDays = "cap_days"
    case quietStartMinute = "quiet_start_minute"
    case quietEndMinute = "quiet_end_minute"
  }
}
