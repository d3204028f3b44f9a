import Contracts
import Foundation
import ServiceKit
import SwiftProtobuf

/// Plays one account's two years through the same steps the service takes, in memory, in time
/// order: purchases from segmentation earn by the earning rules and the member's tier, redeems
/// take the lots that expire first, lots expire at their time, refunds take back their order's
/// points (or leave a debt), tiers rise at once and fall one step at a period's end.
///
/// What comes out is the rows the service would have written, so the ledger's invariants
/// (balance = sum of entries = sum of the lots' remaining points) hold by construction.
struct BulkLedgerSimulator {
  let rules: Crm_Loyalty_V1_EarningRules
  let program: Crm_Loyalty_V1_TierProgram
  let start: Int64
  let asOf: Int64
  var random: SplitMix64
  var expiry: BulkMonthStep
  var tierPeriod: BulkMonthStep
  /// Ids handed out so far, across accounts.
  var entrySequence: UInt64 = 0
  var lotID: Int64 = 0
  var codeSequence: UInt64 = 0

  static let couponAlphabet = Array("ABCDEFGHJKLMNPQRSTUVWXYZ23456789")
  static let deterministic: BinaryEncodingOptions = {
    var options = BinaryEncodingOptions()
    options.useDeterministicOrdering = true
    return options
  }()

  /// One account's state while it is played.
  struct State {
    var account: BulkRows.Account
    var lots: [BulkRows.Lot] = []
    var activity: [(time: Int64, spend: Int64, purchases: Int64, points: Int64)] = []
    var orders: [(id: String, amount: Int64, lot: Int, refunded: Bool)] = []
    var entries = 0
  }

  /// Plays customer `customerID` until about `targetEntries` ledger entries, settles it at
  /// the fill's as-of time, and adds its rows to `rows`; returns the entries it wrote.
  mutating func play(customerID: String, targetEntries: Int, into rows: inout BulkRows) throws
    -> Int
  {
    let span = UInt64(asOf - start)
    var times = (0..<max(1, targetEntries)).map { _ in start + Int64(random.next() % span) }
    times.sort()
    var state = State(
      account: BulkRows.Account(
        customerID: customerID, balance: 0, lifetimePoints: 0, pointsDebt: 0, tier: "",
        tierPeriodEndsAt: nil, createdAt: times[0], updatedAt: times[0]))
    for (index, time) in times.enumerated() where state.entries < targetEntries {
      try settle(&state, until: time, into: &rows)
      let roll = random.next() % 100
      if index > 0, state.account.balance > 0, roll < 30 {
        try redeem(&state, at: time, into: &rows)
      } else if index > 0, roll < 34, let order = state.orders.indices.first(where: {
        !state.orders[$0].refunded && random.next() % 4 == 0
      }) {
        try refund(&state, order: order, at: time, into: &rows)
      } else {
        try purchase(&state, at: time, into: &rows)
      }
    }
    try settle(&state, until: asOf, into: &rows)
    let lastActivity = state.account.updatedAt
    rows.lots += state.lots
    rows.accounts.append(state.account)
    extras(customerID: customerID, lastActivity: lastActivity, into: &rows)
    return state.entries
  }

  // MARK: - The steps, as the service takes them

  /// What the periodic scans do up to `time`: lots expire at their expiry (FIFO by expiry,
  /// then id), and a tier period that ends is reviewed at its end.
  private mutating func settle(_ state: inout State, until time: Int64, into rows: inout BulkRows)
    throws
  {
    while true {
      var due: Int?
      for index in state.lots.indices where state.lots[index].remaining > 0 {
        let lot = state.lots[index]
        guard lot.expiresAt <= time else { continue }
        if let best = due, state.lots[best].expiresAt <= lot.expiresAt { continue }
        due = index
      }
      let review = state.account.tierPeriodEndsAt.flatMap { $0 <= time ? $0 : nil }
      if let due, review.map({ state.lots[due].expiresAt <= $0 }) ?? true {
        let points = state.lots[due].remaining
        appendEntry(
          &state, kind: "expire", points: -points, reason: "expiry of lot \(state.lots[due].id)",
          at: state.lots[due].expiresAt, into: &rows)
        state.lots[due].remaining = 0
        state.lots[due].expired += points
        state.account.balance -= points
        state.account.updatedAt = max(state.account.updatedAt, state.lots[due].expiresAt)
      } else if let review {
        try reviewTier(&state, at: review, into: &rows)
      } else {
        return
      }
    }
  }

  /// `runTierReview`: one step down when the member no longer qualifies, else a new period.
  private mutating func reviewTier(_ state: inout State, at end: Int64, into rows: inout BulkRows)
    throws
  {
    let qualified = TierProgram.qualifiedIndex(program, progress: progress(state, at: end))
    let current = TierProgram.index(of: state.account.tier, in: program)
    if qualified < current {
      let lower = current - 1
      try changeTier(
        &state, to: program.tiers[lower].name, reason: "downgrade",
        periodEnd: lower == 0 ? nil : tierPeriod(end), at: end, into: &rows)
    } else {
      state.account.tierPeriodEndsAt = tierPeriod(end)
    }
  }

  /// A purchase recorded by segmentation (`earnForPurchase` with no pending period).
  private mutating func purchase(_ state: inout State, at time: Int64, into rows: inout BulkRows)
    throws
  {
    let customerID = state.account.customerID
    let orderID = "\(customerID)-o\(state.orders.count)"
    // 10 to 2,000 currency units, most purchases small.
    let scale: UInt64 = random.next() % 200_000
    let share: UInt64 = random.next() % 100
    let amount = Int64(1_000 + scale * share / 100)
    let tier = program.tiers[TierProgram.index(of: state.account.tier, in: program)].name
    let money = Crm_Common_V1_Money.with {
      $0.amountMinor = amount
      $0.currency = "CNY"
    }
    let points = EarningRules.purchasePoints(rules, amount: money, items: [], tier: tier)
    rows.inbox.append(.init(eventID: nextUUID(), source: "segmentation", appliedAt: time))
    addActivity(&state, spend: amount, purchases: 1, points: 0, at: time, into: &rows)
    guard points > 0 else { return }
    // PointsLedger.credit: a debt from refunds takes its share first.
    let debtPaid = min(state.account.pointsDebt, points)
    state.account.balance += points - debtPaid
    state.account.pointsDebt -= debtPaid
    state.account.lifetimePoints += points
    let entryID = appendEntry(
      &state, kind: "earn", points: points, reason: "order \(orderID)", at: time, into: &rows)
    if debtPaid > 0 {
      appendEntry(
        &state, kind: "reverse", points: -debtPaid, reason: "debt from refunds paid", at: time,
        into: &rows)
    }
    lotID += 1
    state.lots.append(
      BulkRows.Lot(
        id: lotID, customerID: customerID, earnEntryID: entryID, orderID: orderID,
        points: points, remaining: points - debtPaid, reversed: debtPaid, earnedAt: time,
        expiresAt: expiry(time)))
    state.orders.append((orderID, amount, state.lots.count - 1, false))
    state.account.updatedAt = time
    // afterEarn: the points count towards the tier, and a member who now qualifies rises.
    addActivity(&state, spend: 0, purchases: 0, points: points, at: time, into: &rows)
    let qualified = TierProgram.qualifiedIndex(program, progress: progress(state, at: time))
    if qualified > TierProgram.index(of: state.account.tier, in: program) {
      try changeTier(
        &state, to: program.tiers[qualified].name, reason: "upgrade", periodEnd: tierPeriod(time),
        at: time, into: &rows)
    }
  }

  /// `changeTier`: the change, its event to segmentation (delivered by now), the new tier.
  private mutating func changeTier(
    _ state: inout State, to tier: String, reason: String, periodEnd: Int64?, at time: Int64,
    into rows: inout BulkRows
  ) throws {
    let customerID = state.account.customerID
    let from = state.account.tier
    rows.tierChanges.append(
      .init(customerID: customerID, fromTier: from, toTier: tier, reason: reason, createdAt: time))
    let event = Crm_Events_V1_Event.with {
      $0.eventID = nextUUID()
      $0.source = SuiteService.loyalty.rawValue
      $0.customerID = customerID
      $0.occurTime = Google_Protobuf_Timestamp(storeDate: BulkTime.date(time))
      $0.payload = .loyaltyTierChanged(
        .with {
          $0.fromTier = from
          $0.toTier = tier
        })
    }
    let bytes: Data = try event.serializedBytes()
    for destination in LoyaltyService.eventDestinations {
      rows.outbox.append(
        .init(
          eventID: event.eventID, destination: destination.rawValue, customerID: customerID,
          event: bytes, createdAt: time))
    }
    state.account.tier = tier
    state.account.tierPeriodEndsAt = periodEnd
    state.account.updatedAt = time
  }

  // MARK: - Pieces

  @discardableResult
  mutating func appendEntry(
    _ state: inout State, kind: String, points: Int64, reason: String, at time: Int64,
    into rows: inout BulkRows
  ) -> String {
    let id = nextUUID()
    rows.entries.append(
      .init(
        id: id, customerID: state.account.customerID, kind: kind, points: points, reason: reason,
        createdAt: time))
    state.entries += 1
    return id
  }

  mutating func nextUUID() -> String {
    entrySequence += 1
    return random.uuid(sequence: entrySequence)
  }

  private func addActivity(
    _ state: inout State, spend: Int64, purchases: Int64, points: Int64, at time: Int64,
    into rows: inout BulkRows
  ) {
    state.activity.append((time, spend, purchases, points))
    rows.activity.append(
      .init(
        customerID: state.account.customerID, spendMinor: spend, purchases: purchases,
        points: points, createdAt: time))
  }

  /// `TierProgram.progress`: the activity of the window ending at `time`.
  private func progress(_ state: State, at time: Int64) -> TierProgram.Progress {
    let since = time - program.qualificationWindow.seconds
    var progress = TierProgram.Progress()
    for activity in state.activity where activity.time > since {
      progress.spendMinor += activity.spend
      progress.purchases += activity.purchases
      progress.points += activity.points
    }
    return progress
  }

  func accountRecord(_ account: BulkRows.Account) -> AccountRecord {
    AccountRecord(
      customerID: account.customerID, balance: account.balance,
      lifetimePoints: account.lifetimePoints, pointsDebt: account.pointsDebt, pendingPoints: 0,
      tier: account.tier, tierPeriodEndsAt: account.tierPeriodEndsAt.map(BulkTime.date),
      createdAt: BulkTime.date(account.createdAt), updatedAt: BulkTime.date(account.updatedAt))
  }
}
