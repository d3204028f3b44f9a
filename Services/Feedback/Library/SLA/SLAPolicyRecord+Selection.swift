import Contracts
import Foundation
import GRDB
import ServiceKit
import SwiftProtobuf

extension SLAPolicyRecord {
  /// Whether this policy selects a ticket of this kind, priority, channel and category.
  func matches(kind: Int, priority: Int, channel: Int, category: String) -> Bool {
    (self.kind == 0 || self.kind == kind)
      && (self.priority == 0 || self.priority == priority)
      && (self.channel == 0 || self.channel == channel)
      && (categoryPrefix.isEmpty || category == categoryPrefix
        || category.hasPrefix(categoryPrefix + "/"))
  }

  /// The first policy, by rank, that selects the ticket.
  ///
  /// The table holds a few dozen rows at most, so reading them all beats a clever query.
  static func select(for ticket: TicketRecord, _ db: Database) throws -> SLAPolicyRecord {
    let policies = try SLAPolicyRecord.order(Columns.rank).fetchAll(db)
    guard
      let policy = policies.first(where: {
        $0.matches(
          kind: ticket.kind, priority: ticket.priority, channel: ticket.channel,
          category: ticket.category)
      })
    else {
      throw ServiceError.failedPrecondition("no SLA policy covers this ticket's kind and priority")
    }
    return policy
  }

  /// The ticket's own policy, or a fresh selection for a ticket older than policies.
  static func policy(of ticket: TicketRecord, _ db: Database) throws -> SLAPolicyRecord {
    if let policy = try SLAPolicyRecord.fetchOne(db, key: ticket.slaPolicyID) { return policy }
    return try select(for: ticket, db)
  }

  /// How long the clock of `kind` may run under this policy.
  func allowance(_ kind: Crm_Feedback_V1_SlaClockKind) -> TimeInterval {
    switch kind {
    case .firstResponse: TimeInterval(firstResponseSeconds)
    case .nextUpdate: TimeInterval(nextUpdateSeconds)
    default: TimeInterval(resolutionSeconds)
    }
  }

  var message: Crm_Feedback_V1_SlaPolicy {
    .with {
      $0.policyID = id
      $0.rank = Int32(rank)
      $0.kind = Crm_Feedback_V1_TicketKind(rawValue: kind) ?? .unspecified
      $0.priority = Crm_Feedback_V1_Priority(rawValue: priority) ?? .unspecified
      $0.channel = Crm_Feedback_V1_IntakeChannel(rawValue: channel) ?? .unspecified
      $0.categoryPrefix = categoryPrefix
      $0.firstResponse = Google_Protobuf_Duration(seconds: Int64(firstResponseSeconds))
      $0.nextUpdate = Google_Protobuf_Duration(seconds: Int64(nextUpdateSeconds))
      $0.resolution = Google_Protobuf_Duration(seconds: Int64(resolutionSeconds))
    }
  }
}
