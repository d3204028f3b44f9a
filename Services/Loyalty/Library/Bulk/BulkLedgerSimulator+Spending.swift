import Contracts
import Foundation

/// The ways points leave an account while it is played: redeems and refunds.
extension BulkLedgerSimulator {
  /// `RedeemPoints` of up to the whole balance, from the lots that expire first, with the
  /// idempotency record the RPC leaves.
  mutating func redeem(_ state: inout State, at time: Int64, into rows: inout BulkRows)
    throws
  {
    let points = 1 + Int64(random.next() % UInt64(state.account.balance))
    var left = points
    let order = state.lots.indices.filter { state.lots[$0].remaining > 0 }.sorted {
      (state.lots[$0].expiresAt, state.lots[$0].id) < (state.lots[$1].expiresAt, state.lots[$1].id)
    }
    for index in order where left > 0 {
      let taken = min(state.lots[index].remaining, left)
      state.lots[index].remaining -= taken
      state.lots[index].redeemed += taken
      left -= taken
    }
    precondition(left == 0, "the lots of \(state.account.customerID) do not add up")
    state.account.balance -= points
    state.account.updatedAt = time
    let reason = "reward"
    let entryID = appendEntry(
      &state, kind: "redeem", points: -points, reason: reason, at: time, into: &rows)
    let key = "bulk-redeem-\(state.account.customerID)-\(state.entries)"
    let request = Crm_Loyalty_V1_RedeemPointsRequest.with {
      $0.customerID = state.account.customerID
      $0.points = points
      $0.reason = reason
      $0.idempotencyKey.key = key
    }
    let response = Crm_Loyalty_V1_RedeemPointsResponse.with {
      $0.entry = LedgerEntryRecord(
        id: entryID, customerID: state.account.customerID, kind: "redeem", points: -points,
        reason: reason, createdAt: BulkTime.date(time)
      ).message
      $0.account = accountRecord(state.account).message
    }
    rows.idempotency.append(
      .init(
        scope: "RedeemPoints", key: key,
        request: try request.serializedBytes(options: Self.deterministic),
        response: try response.serializedBytes(options: Self.deterministic), createdAt: time))
  }

  /// A refund from segmentation (`reverse` with no earlier refund of the order): the refund's
  /// share of the order's points leaves the lot, what was spent becomes a debt, what expired
  /// is forgiven.
  mutating func refund(
    _ state: inout State, order index: Int, at time: Int64, into rows: inout BulkRows
  ) throws {
    let order = state.orders[index]
    state.orders[index].refunded = true
    let refunded =
      random.next() % 2 == 0 ? order.amount : 1 + Int64(random.next() % UInt64(order.amount - 1))
    let lot = state.lots[order.lot]
    let due = order.amount.dividingFullWidth(lot.points.multipliedFullWidth(by: refunded)).quotient
    let taken = min(due, lot.remaining)
    state.lots[order.lot].remaining -= taken
    state.lots[order.lot].reversed += taken
    let shortfall = due - taken
    let forgiven = min(shortfall, max(0, lot.expired))
    let debt = shortfall - forgiven
    let refundID = "\(state.account.customerID)-rf\(index)"
    if taken > 0 {
      appendEntry(
        &state, kind: "reverse", points: -taken,
        reason: "refund \(refundID) of order \(order.id)", at: time, into: &rows)
    }
    state.account.balance -= taken
    state.account.pointsDebt += debt
    state.account.updatedAt = time
    rows.inbox.append(.init(eventID: nextUUID(), source: "segmentation", appliedAt: time))
    rows.reversals.append(
      .init(
        refundID: refundID, customerID: state.account.customerID, orderID: order.id,
        refundAmountMinor: refunded, orderAmountMinor: order.amount, currency: "CNY",
        pointsReversed: taken, pointsDebt: debt, pointsExpired: forgiven, createdAt: time))
  }
}
