import Contracts
import Foundation
import GRDB
import GRPCCore
import ServiceKit
import SwiftProtobuf

extension LoyaltyService {
  /// Services loyalty sends events to: segmentation keeps the member's tier on the profile.
  public static let eventDestinations: [SuiteService] = [.segmentation]

  // MARK: - Qualification, inside the write that earned

  /// The member's tier name, for the earning rules' multiplier.
  func currentTier(_ db: Database, _ account: AccountRecord) throws -> String {
    let program = try TierProgram.load(db)
    return program.tiers[TierProgram.index(of: account.tier, in: program)].name
  }

  /// Counts a purchase's spend and count towards the member's tier.
  func recordPurchase(
    _ db: Database, account: inout AccountRecord, purchase: Crm_Events_V1_PurchaseRecorded,
    now: Date
  ) throws {
    try db.execute(
      sql: """
        INSERT INTO tier_activity (customer_id, spend_minor, purchases, points, created_at)
        VALUES (?, ?, 1, 0, ?)
        """, arguments: [account.customerID, max(0, purchase.amount.amountMinor), now])
  }

  /// Counts earned points towards the member's tier, and upgrades at once when the member
  /// now qualifies for a higher one. The caller has saved the account; this saves it again
  /// when the tier changes.
  func afterEarn(_ db: Database, account: inout AccountRecord, points: Int64, now: Date) throws {
    if points > 0 {
      try db.cachedStatement(sql: """
        INSERT INTO tier_activity (customer_id, spend_minor, purchases, points, created_at)
        VALUES (?, 0, 0, ?, ?)
        """).execute(arguments: [account.customerID, points, now])
    }
    let program = try TierProgram.load(db)
    let progress = try TierProgram.progress(
      db, customerID: account.customerID, program: program, now: now)
    let qualified = TierProgram.qualifiedIndex(program, progress: progress)
    let current = TierProgram.index(of: account.tier, in: program)
    guard qualified > current else { return }
    try changeTier(
      db, account: &account, to: program.tiers[qualified].name, reason: "upgrade",
      periodEnd: periodEnd(from: now, program: program), now: now)
  }

  /// Moves the member to `tier`: records the change and tells segmentation in the same
  /// transaction, so the change and its event exist together or not at all.
  private func changeTier(
    _ db: Database, account: inout AccountRecord, to tier: String, reason: String,
    periodEnd: Date?, now: Date
  ) throws {
    var change = TierChangeRecord(
      id: nil, customerID: account.customerID, fromTier: account.tier, toTier: tier,
      reason: reason, createdAt: now)
    try change.insert(db)
    let event = EventStore.event(
      from: .loyalty, customerID: account.customerID, at: now,
      payload: .loyaltyTierChanged(
        .with {
          $0.fromTier = change.fromTier
          $0.toTier = tier
        }))
    try EventStore.enqueue(db, event, to: Self.eventDestinations, now: now)
    account.tier = tier
    account.tierPeriodEndsAt = periodEnd
    account.updatedAt = now
    try account.update(db)
  }

  private func periodEnd(from date: Date, program: Crm_Loyalty_V1_TierProgram) -> Date {
    expiryPolicy.calendar.date(byAdding: .month, value: Int(program.periodMonths), to: date)!
  }

  // MARK: - RPCs

  /// Replaces the tier program; see `SetTierProgram` in loyalty.proto.
  public func setTierProgram(
    request: Crm_Loyalty_V1_SetTierProgramRequest,
    context: ServerContext
  ) async throws -> Crm_Loyalty_V1_SetTierProgramResponse {
    try TierProgram.validate(request.program)
    let now = clock.now()
    try await store.database.write { db in
      try TierProgram.save(db, request.program, now: now)
    }
    return .with { $0.program = request.program }
  }

  /// Returns the tier program; see `GetTierProgram` in loyalty.proto.
  public func getTierProgram(
    request: Crm_Loyalty_V1_GetTierProgramRequest,
    context: ServerContext
  ) async throws -> Crm_Loyalty_V1_GetTierProgramResponse {
    let program = try await store.database.read { try TierProgram.load($0) }
    return .with { $0.program = program }
  }

  /// Returns a member's tier and progress; see `GetMemberTier` in loyalty.proto.
  public func getMemberTier(
    request: Crm_Loyalty_V1_GetMemberTierRequest,
    context: ServerContext
  ) async throws -> Crm_Loyalty_V1_GetMemberTierResponse {
    try FieldValidation.requireID(request.customerID, field: "customer_id")
    let now = clock.now()
    return try await store.database.read { db in
      let account = try PointsLedger.account(db, customerID: request.customerID)
      let program = try TierProgram.load(db)
      let index = TierProgram.index(of: account.tier, in: program)
      let progress = try TierProgram.progress(
        db, customerID: account.customerID, program: program, now: now)
      return .with {
        $0.customerID = account.customerID
        $0.tier = program.tiers[index].name
        $0.benefits = program.tiers[index].benefits
        if let end = account.tierPeriodEndsAt {
          $0.periodEndTime = Google_Protobuf_Timestamp(storeDate: end)
        }
        $0.windowSpendMinor = progress.spendMinor
        $0.windowPurchases = Int32(clamping: progress.purchases)
        $0.windowPoints = progress.points
        if index + 1 < program.tiers.count { $0.nextTier = program.tiers[index + 1].name }
      }
    }
  }

  /// Drops members who no longer qualify one step at their period's end; see
  /// `RunTierReview` in loyalty.proto.
  public func runTierReview(
    request: Crm_Loyalty_V1_RunTierReviewRequest,
    context: ServerContext
  ) async throws -> Crm_Loyalty_V1_RunTierReviewResponse {
    guard request.maxMembers >= 0 else {
      throw ServiceError.invalidArgument(field: "max_members", reason: "must not be negative")
    }
    let limit =
      request.maxMembers == 0 ? expiryBatchSize : min(Int(request.maxMembers), expiryBatchSize)
    let now = clock.now()
    return try await store.database.write { db in
      let program = try TierProgram.load(db)
      let due =
        try AccountRecord
        .filter(sql: "tier_period_ends_at IS NOT NULL AND tier_period_ends_at <= ?", arguments: [now])
        .order(sql: "tier_period_ends_at, customer_id")
        .limit(limit + 1)
        .fetchAll(db)
      var response = Crm_Loyalty_V1_RunTierReviewResponse()
      for var account in due.prefix(limit) {
        response.membersReviewed += 1
        // Judged at the period's end, not at the time the review happens to run.
        let end = account.tierPeriodEndsAt!
        let progress = try TierProgram.progress(
          db, customerID: account.customerID, program: program, now: end)
        let qualified = TierProgram.qualifiedIndex(program, progress: progress)
        let current = TierProgram.index(of: account.tier, in: program)
        if qualified < current {
          let lower = current - 1
          try changeTier(
            db, account: &account, to: program.tiers[lower].name, reason: "downgrade",
            periodEnd: lower == 0 ? nil : periodEnd(from: end, program: program), now: end)
          response.membersDowngraded += 1
        } else {
          account.tierPeriodEndsAt = periodEnd(from: end, program: program)
          try account.update(db)
        }
      }
      response.more = due.count > limit
      return response
    }
  }

  /// Lists a member's tier changes, newest first, a keyset page at a time; see
  /// `ListTierChanges` in loyalty.proto.
  public func listTierChanges(
    request: Crm_Loyalty_V1_ListTierChangesRequest,
    context: ServerContext
  ) async throws -> Crm_Loyalty_V1_ListTierChangesResponse {
    try FieldValidation.requireID(request.customerID, field: "customer_id")
    let page = try ListPage(request.page, listing: "tier_change", customerID: request.customerID)
    return try await store.database.read { db in
      _ = try PointsLedger.account(db, customerID: request.customerID)
      var sql = "SELECT * FROM tier_change WHERE customer_id = ?"
      var arguments: StatementArguments = [request.customerID]
      if let after = page.after {
        sql += " AND (created_at < ? OR (created_at = ? AND id < ?))"
        arguments += [after.time, after.time, Int64(after.tiebreak) ?? 0]
      }
      sql += " ORDER BY created_at DESC, id DESC LIMIT ?"
      arguments += [page.size + 1]
      let rows = try Row.fetchAll(db, sql: sql, arguments: arguments)
      let shown = rows.prefix(page.size)
      let changes = try shown.map { try TierChangeRecord(row: $0) }
      return .with {
        $0.changes = changes.map { change in
          .with {
            $0.customerID = change.customerID
            $0.fromTier = change.fromTier
            $0.toTier = change.toTier
            $0.reason = change.reason
            $0.changeTime = Google_Protobuf_Timestamp(storeDate: change.createdAt)
          }
        }
        $0.page.nextPageToken = ListPage.nextToken(
          listing: "tier_change", customerID: request.customerID, fetched: rows.count,
          size: page.size, time: shown.last?["created_at"],
          tiebreak: (shown.last?["id"] as Int64?).map(String.init))
      }
    }
  }
}
