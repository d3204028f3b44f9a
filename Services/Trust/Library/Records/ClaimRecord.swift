import Contracts
import Foundation
import GRDB
import ServiceKit
import SwiftProtobuf

/// A row of `claim`: a customer's claim under a guarantee for one order.
struct ClaimRecord: Codable, Hashable, FetchableRecord, PersistableRecord {
  static let databaseTableName = "claim"

  var id: String
  var customerID: String
  var guaranteeID: String
  var orderID: String
  var reason: String
  /// `Crm_Trust_V1_ClaimStatus` raw value.
  var status: Int
  var purchasedAt: Date
  var orderAmountMinor: Int64
  var currency: String
  var payoutMinor: Int64
  var filedAt: Date
  var responseDueAt: Date
  var firstResponseAt: Date?
  /// APPROVED or REJECTED raw value once decided; 0 before (kept after settlement).
  var decision: Int
  var decisionNote: String
  var decidedAt: Date?
  var settledAt: Date?
  var settledAmountMinor: Int64?

  enum CodingKeys: String, CodingKey {
    case id, reason, status, currency, decision
    case customerID = "customer_id"
    case guaranteeID = "guarantee_id"
    case orderID = "order_id"
    case purchasedAt = "purchased_at"
    case orderAmountMinor = "order_amount_minor"
    case payoutMinor = "payout_minor"
    case filedAt = "filed_at"
    case responseDueAt = "response_due_at"
    case firstResponseAt = "first_response_at"
    case decisionNote = "decision_note"
    case decidedAt = "decided_at"
    case settledAt = "settled_at"
    case settledAmountMinor = "settled_amount_minor"
  }

  /// The response clock at `now`: met or breached once answered, else running until due.
  func responseClock(at now: Date) -> Crm_Trust_V1_ResponseClock {
    if let firstResponseAt { return firstResponseAt <= responseDueAt ? .met : .breached }
    return now > responseDueAt ? .breached : .running
  }

  func message(now: Date) -> Crm_Trust_V1_Claim {
    .with {
      $0.claimID = id
      $0.customerID = customerID
      $0.guaranteeID = guaranteeID
      $0.orderID = orderID
      $0.reason = reason
      $0.status = Crm_Trust_V1_ClaimStatus(rawValue: status) ?? .unspecified
      $0.purchaseTime = Google_Protobuf_Timestamp(storeDate: purchasedAt)
      $0.orderAmount = .with { $0.amountMinor = orderAmountMinor; $0.currency = currency }
      $0.payout = .with { $0.amountMinor = payoutMinor; $0.currency = currency }
      $0.fileTime = Google_Protobuf_Timestamp(storeDate: filedAt)
      $0.responseDueTime = Google_Protobuf_Timestamp(storeDate: responseDueAt)
      if let firstResponseAt { $0.firstResponseTime = Google_Protobuf_Timestamp(storeDate: firstResponseAt) }
      $0.responseClock = responseClock(at: now)
      $0.decisionNote = decisionNote
      if let decidedAt { $0.decideTime = Google_Protobuf_Timestamp(storeDate: decidedAt) }
      if let settledAt { $0.settleTime = Google_Protobuf_Timestamp(storeDate: settledAt) }
      if let settledAmountMinor { $0.settledAmount = .with { $0.amountMinor = settledAmountMinor; $0.currency = currency } }
    }
  }
}
