import Contracts
import Foundation
import GRDB

/// The recorded changes of profiles' tiers and stages: what the history RPC pages through and
/// the tier report replays.
enum ProfileHistory {
  static func record(
    _ db: Database, customerID: String, kind: Crm_Segmentation_V1_ProfileChange.Kind,
    from: String, to: String, cause: String, at now: Date
  ) throws {
    var change = ProfileChangeRecord(
      seq: nil, customerID: customerID, kind: kind.rawValue, changedAt: now, fromValue: from,
      toValue: to, cause: cause)
    try change.insert(db)
  }
}

extension ProfileChangeRecord {
  var message: Crm_Segmentation_V1_ProfileChange {
    .with {
      $0.kind = .init(rawValue: kind) ?? .unspecified
      $0.changeTime = .init(storeDate: changedAt)
      $0.fromValue = fromValue
      $0.toValue = toValue
      $0.cause = cause
    }
  }
}
