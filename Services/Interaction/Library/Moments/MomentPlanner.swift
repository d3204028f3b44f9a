import Contracts
import Foundation
import GRDB
import ServiceKit
import SwiftProtobuf

/// Turns a lifecycle moment into the care tasks of its plan, inside the caller's write
/// transaction; shared by RecordMoment, the event sink and the date scan so that all three
/// create tasks the same way, once per occurrence.
enum MomentPlanner {
  /// The moment kinds the service knows without an operator defining them.
  static let builtInKinds: Set<String> = [
    "registration", "first_purchase", "birthday", "anniversary", "service_completed", "churn_warning",
    "complaint_resolved",
  ]

  /// What recording a moment produced.
  struct Outcome {
    var moment: MomentRecord
    var tasks: [CareTaskRecord]
    var alreadyRecorded: Bool
  }

  /// A moment kind: lower-case letters, digits and `_`, 1 to 64 characters, starting with a letter.
  static func validateKind(_ kind: String, field: String) throws(ServiceError) {
    let valid =
      (1...64).contains(kind.count) && kind.first!.isLetter
      && kind.allSatisfy { ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "_" }
    if !valid {
      throw .invalidArgument(field: field, reason: "must be 1 to 64 lower-case letters, digits or _, starting with a letter")
    }
  }

  /// The plan for `kind` and `tier`: the tier's own, else the plan for any tier.
  static func plan(_ db: Database, kind: String, tier: String) throws -> CarePlanRecord? {
    // Asked for every moment and twice per date-scan candidate: one compiled statement.
    let statement = try db.cachedStatement(sql: "SELECT * FROM care_plan WHERE moment_kind = ? AND tier = ?")
    if !tier.isEmpty, let own = try CarePlanRecord.fetchOne(statement, arguments: [kind, tier]) {
      return own
    }
    return try CarePlanRecord.fetchOne(statement, arguments: [kind, ""])
  }

  /// Records the occurrence and creates its tasks; the same occurrence again returns what the
  /// first created. FAILED_PRECONDITION when no plan covers the kind. `momentID` is a fresh
  /// UUID unless given (the bulk fill passes deterministic ones).
  static func record(
    _ db: Database, customerID: String, kind: String, occurrenceID: String, occurredAt: Date,
    facts: CustomerFacts, now: Date, momentID: String? = nil
  ) throws -> Outcome {
    if let existing = try MomentRecord.fetchOne(
      db.cachedStatement(sql: "SELECT * FROM moment WHERE customer_id = ? AND kind = ? AND occurrence_id = ?"),
      arguments: [customerID, kind, occurrenceID])
    {
      let tasks = try CareTaskRecord.fetchAll(
        db.cachedStatement(sql: "SELECT * FROM care_task WHERE moment_id = ? ORDER BY planned_at, id"),
        arguments: [existing.id])
      return Outcome(moment: existing, tasks: tasks, alreadyRecorded: true)
    }
    guard let plan = try plan(db, kind: kind, tier: facts.tier) else {
      throw ServiceError.failedPrecondition("no care plan for moment kind \(FieldValidation.quoted(kind))")
    }
    let moment = MomentRecord(
      id: momentID ?? UUID().uuidString.lowercased(), customerID: customerID, kind: kind,
      occurrenceID: occurrenceID,
      occurredAt: occurredAt, tier: facts.tier,
      tierSource: facts.source.rawValue,
      planTier: plan.tier, recordedAt: now)
    try moment.insert(db)

    let optedOut = Set(
      try Int.fetchAll(db.cachedStatement(sql: "SELECT channel FROM opt_out WHERE customer_id = ?"), arguments: [customerID]))
    var tasks: [CareTaskRecord] = []
    for (index, step) in try plan.decodedSteps().enumerated() {
      let planned = occurredAt.addingTimeInterval(TimeInterval(step.offsetSeconds))
      let schedule = ContactSchedule(
        zone: facts.zone,
        policy: try ContactSchedule.policy(db, tier: facts.tier, lifecycleStage: facts.lifecycleStage, channel: step.channel))
      let channel = Crm_Interaction_V1_Channel(rawValue: step.channel) ?? .unspecified
      let placement = try schedule.place(
        db, customerID: customerID, channel: step.channel, planned: planned, transactional: step.transactional,
        optedOut: !step.transactional && optedOut.contains(step.channel), channelName: channel.displayName)
      let owner = step.ownerRole == "account_manager" && !facts.accountManager.isEmpty ? facts.accountManager : step.ownerRole
      let task = CareTaskRecord(
        id: "\(moment.id)-\(index + 1)", customerID: customerID, momentID: moment.id, momentKind: kind,
        type: step.type, channel: step.channel, ownerRole: step.ownerRole, owner: owner,
        templateID: step.templateID, transactional: step.transactional, tier: facts.tier, plannedAt: planned,
        dueAt: placement.dueAt,
        status: (placement.suppressed ? Crm_Interaction_V1_TaskStatus.suppressed : .open).rawValue,
        deferralKind: placement.deferralKind, deferralReason: placement.reason, completedAt: nil,
        cancelReason: "", createdAt: now)
      try task.insert(db)
      tasks.append(task)
    }
    return Outcome(moment: moment, tasks: tasks, alreadyRecorded: false)
  }
}

extension Crm_Interaction_V1_Channel {
  /// The channel's name in reasons and logs (`sms`, `phone`...).
  var displayName: String {
    switch self {
    case .sms: "sms"
    case .phone: "phone"
    case .visit: "visit"
    case .email: "email"
    case .appPush: "app push"
    case .messaging: "messaging"
    default: "unspecified channel"
    }
  }
}

extension MomentRecord {
  var message: Crm_Interaction_V1_Moment {
    .with {
      $0.momentID = id
      $0.customerID = customerID
      $0.kind = kind
      $0.occurrenceID = occurrenceID
      $0.occurTime = Google_Protobuf_Timestamp(storeDate: occurredAt)
      $0.tier = tier
      $0.tierSource = Crm_Interaction_V1_TierSource(rawValue: tierSource) ?? .unspecified
      $0.planTier = planTier
      $0.recordTime = Google_Protobuf_Timestamp(storeDate: recordedAt)
    }
  }
}

extension CareTaskRecord {
  func message(now: Date) -> Crm_Interaction_V1_CareTask {
    .with {
      $0.taskID = id
      $0.customerID = customerID
      $0.momentID = momentID
      $0.momentKind = momentKind
      $0.type = type
      $0.channel = Crm_Interaction_V1_Channel(rawValue: channel) ?? .unspecified
      $0.ownerRole = ownerRole
      $0.owner = owner
      $0.templateID = templateID
      $0.transactional = transactional
      $0.dueTime = Google_Protobuf_Timestamp(storeDate: dueAt)
      $0.plannedTime = Google_Protobuf_Timestamp(storeDate: plannedAt)
      $0.status = Crm_Interaction_V1_TaskStatus(rawValue: status) ?? .unspecified
      $0.overdue = status == Crm_Interaction_V1_TaskStatus.open.rawValue && dueAt < now
      $0.deferralReason = deferralReason
      if let completedAt { $0.completeTime = Google_Protobuf_Timestamp(storeDate: completedAt) }
      $0.tier = tier
      $0.cancelReason = cancelReason
    }
  }
}
