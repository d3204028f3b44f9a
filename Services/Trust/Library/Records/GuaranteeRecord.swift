import Contracts
import Foundation
import GRDB

/// A row of `guarantee`: one promise to buyers, with its window, payout and after-sales steps.
struct GuaranteeRecord: Codable, Hashable, FetchableRecord, PersistableRecord {
  static let databaseTableName = "guarantee"

  var id: String
  var name: String
  var terms: String
  var windowDays: Int
  var payoutMultiplier: Int
  var refundsOrder: Bool
  var businessOnly: Bool
  var responseHours: Int
  var settlement: String
  /// Listing order.
  var position: Int

  enum CodingKeys: String, CodingKey {
    case id, name, terms, settlement, position
    case windowDays = "window_days"
    case payoutMultiplier = "payout_multiplier"
    case refundsOrder = "refunds_order"
    case businessOnly = "business_only"
    case responseHours = "response_hours"
  }

  /// The four guarantees of the playbook, as the migration first stores them; operators change
  /// the rows, not this list.
  static let defaults: [GuaranteeRecord] = [
    GuaranteeRecord(
      id: "seven-day-return", name: "7-day no-reason return",
      terms: "Return the goods unused within 7 days of purchase, no reason needed.",
      windowDays: 7, payoutMultiplier: 1, refundsOrder: true, businessOnly: false, responseHours: 24,
      settlement: "Refund to the original payment within 3 days of receiving the goods back.", position: 1),
    GuaranteeRecord(
      id: "one-fake-ten-paid", name: "One fake, ten paid back",
      terms: "If the product is proven counterfeit, the buyer is paid ten times the order amount.",
      windowDays: 90, payoutMultiplier: 10, refundsOrder: true, businessOnly: false, responseHours: 24,
      settlement: "Ten times the order amount paid within 7 days of the authenticity verdict.", position: 2),
    GuaranteeRecord(
      id: "refund-if-not-satisfied", name: "Refund if not satisfied",
      terms: "Not satisfied with the product or service within 30 days: a full refund.",
      windowDays: 30, payoutMultiplier: 1, refundsOrder: true, businessOnly: false, responseHours: 48,
      settlement: "Full refund to the original payment within 3 days of approval.", position: 3),
    GuaranteeRecord(
      id: "b2b-small-batch-trial", name: "B2B small-batch trial",
      terms: "A business buyer may trial a small batch before a framework order; unsuitable batches are taken back.",
      windowDays: 30, payoutMultiplier: 0, refundsOrder: false, businessOnly: true, responseHours: 8,
      settlement: "The account manager collects the trial batch at no charge; no framework order is due.", position: 4),
  ]

  var message: Crm_Trust_V1_Guarantee {
    .with {
      $0.guaranteeID = id
      $0.name = name
      $0.terms = terms
      $0.windowDays = Int32(windowDays)
      $0.payoutMultiplier = Int32(payoutMultiplier)
      $0.refundsOrder = refundsOrder
      $0.businessOnly = businessOnly
      $0.responseHours = Int32(responseHours)
      $0.settlement = settlement
    }
  }
}
