import Contracts
import Foundation
import GRDB
import ServiceKit
import SwiftProtobuf

extension SLAPolicyRecord {
  /// Whether this policy selects a ticket of this kind, priority, channel and category, for a
  /// customer of `tier` (nil when unknown: only policies without a tier then match).
  func matches(kind: Int, priority: Int, channel: Int, category: String, tier: String?) -> Bool {
    (customerTier.isEmpty || customerTier == tier)
      && (self.kind == 0 || self.kind == kind)
      && (self.priority == 0 || self.priority == priority)
      && (self.channel == 0 || self.channel == channel)
      && (categoryPrefix.isEmpty || category == categoryPrefix
        || category.hasPrefix(categoryPrefix + "/"))
  }

  /// The first policy, by rank, that selects the ticket.
  ///
  /// The table holds a few dozen rows at most, so reading them all beats a clever query.
  static func select(for ticket: TicketRecord, tier: String?, _ db: Database) throws
    -> SLAPolicyRecord
  {
    // Every new ticket selects its policy: a cached statement.
    let policies = try SLAPolicyRecord.fetchAll(
      db.cachedStatement(sql: "SELECT * FROM sla_policy ORDER BY rank"))
    guard
      let policy = policies.first(where: {
        $0.matches(
          kind: ticket.kind, priority: ticket.priority, channel: ticket.channel,
          category: ticket.category, tier: tier)
      })
    else {
      throw ServiceError.failedPrecondition("no SLA policy covers this ticket's kind and priority")
    }
    return policy
  }

  /// The ticket's own policy, or a fresh selection for a ticket older than policies.
  static func policy(of ticket: TicketRecord, _ db: Database) throws -> SLAPolicyRecord {
    if let policy = try SLAPolicyRecord.fetchOne(db, key: ticket.slaPolicyID) { return policy }
    return try select(for: ticket, tier: nil, db)
  }

  /// How long the clock of `kind` may run under this policy.
  func allowance(_ kind: Crm_Feedback_V1_SlaClockKind) -> TimeInterval {
    switch kind {
    case .firstResponse: TimeInterval(firstResponseSeconds)
    case .nextUpdate: TimeInterval(nextUpdateSeconds)
    default: TimeInterval(resolutionSeconds)
    }
  }

  /// Whether any policy selects by tier: only then is segmentation asked at intake.
  static func anySelectsByTier(_ db: Database) throws -> Bool {
    try Bool.fetchOne(
      db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM sla_policy WHERE customer_tier != '')"))
      ?? false
  }

  /// The policy's calendar, nil when every hour counts.
  var businessCalendar: BusinessCalendar? {
    guard !calendar.isEmpty else { return nil }
    return try? JSONDecoder().decode(BusinessCalendar.self, from: Data(calendar.utf8))
  }

  /// When a clock of `kind` started at `start` falls due: its allowance of business time.
  func due(_ kind: Crm_Feedback_V1_SlaClockKind, from start: Date) -> Date {
    let allowance = allowance(kind)
    guard let businessCalendar else { return start.addingTimeInterval(allowance) }
    return businessCalendar.adding(allowance, to: start)
  }

  /// A paused clock's due time once it resumes at `resumedAt`: the time it still had left when
  /// paused, counted again from the resumption.
  func resumedDue(_ due: Date, pausedAt: Date, resumedAt: Date) -> Date {
    guard let businessCalendar else { return due.addingTimeInterval(resumedAt.timeIntervalSince(pausedAt)) }
    let left = businessCalendar.businessSeconds(from: pausedAt, to: due)
    return businessCalendar.adding(left, to: max(resumedAt, pausedAt))
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
      $0.customerTier = customerTier
      if let businessCalendar { $0.calendar = businessCalendar.message }
    }
  }
}
