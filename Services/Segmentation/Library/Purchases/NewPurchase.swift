import Contracts
import Foundation
import ServiceKit
import SwiftProtobuf

/// A RecordPurchase request's purchase, validated, with the bytes that identify its body.
struct NewPurchase {
  static let maxItems = 200
  /// How far ahead of the service's clock a purchase time may be (the caller's clock drifts).
  static let maxClockSkew: TimeInterval = 300

  var orderID: String
  var customerID: String
  var currency: String
  var amountMinor: Int64
  var marginMinor: Int64
  var purchasedAt: Date
  var items: [Crm_Segmentation_V1_PurchaseItem]
  var channel: String
  /// The purchase as sent without its output-only fields: equal bytes mean the same body.
  var body: Data

  init(validating purchase: Crm_Segmentation_V1_Purchase, now: Date) throws(ServiceError) {
    orderID = try Self.callerKey(purchase.orderID, field: "purchase.order_id")
    try FieldValidation.requireID(purchase.customerID, field: "purchase.customer_id")
    customerID = purchase.customerID
    if !purchase.hasAmount {
      throw .invalidArgument(field: "purchase.amount", reason: "is required")
    }
    currency = try MoneyRules.currency(purchase.amount.currency, field: "purchase.amount.currency")
    amountMinor = try MoneyRules.amount(
      purchase.amount.amountMinor, field: "purchase.amount.amount_minor")
    try FieldValidation.require(
      purchase.marginMinor, in: -MoneyRules.maxAmountMinor...amountMinor,
      field: "purchase.margin_minor")
    marginMinor = purchase.marginMinor
    if !purchase.hasPurchaseTime {
      throw .invalidArgument(field: "purchase.purchase_time", reason: "is required")
    }
    guard (0..<1_000_000_000).contains(purchase.purchaseTime.nanos),
      (1...253_402_300_799).contains(purchase.purchaseTime.seconds)
    else {
      throw .invalidArgument(field: "purchase.purchase_time", reason: "is not a valid time")
    }
    // Rounded as the store keeps times, so what is returned equals what is stored.
    purchasedAt = Google_Protobuf_Timestamp(storeDate: purchase.purchaseTime.date).date
    if purchasedAt > now.addingTimeInterval(Self.maxClockSkew) {
      throw .invalidArgument(field: "purchase.purchase_time", reason: "is in the future")
    }
    if purchase.items.isEmpty || purchase.items.count > Self.maxItems {
      throw .invalidArgument(
        field: "purchase.items", reason: "must have 1 to \(Self.maxItems) lines")
    }
    for (index, item) in purchase.items.enumerated() {
      let field = "purchase.items[\(index)]"
      try FieldValidation.requireID(item.productID, field: "\(field).product_id")
      try FieldValidation.requireText(item.category, field: "\(field).category", maxLength: 64)
      try FieldValidation.require(item.quantity, in: 1...1_000_000, field: "\(field).quantity")
      _ = try MoneyRules.amount(item.amountMinor, field: "\(field).amount_minor")
    }
    items = purchase.items
    try FieldValidation.requireText(purchase.channel, field: "purchase.channel", maxLength: 64)
    channel = purchase.channel
    var input = purchase
    input.refundedMinor = 0
    input.clearRecordTime()
    body = try Self.deterministicBytes(input)
  }

  /// A caller-chosen id that keys a write (order id, refund id): 1 to 128 printable ASCII.
  static func callerKey(_ value: String, field: String) throws(ServiceError) -> String {
    try FieldValidation.requireID(value, field: field)
    guard value.allSatisfy({ $0.isASCII && !$0.isWhitespace && !$0.isNewline }) else {
      throw .invalidArgument(field: field, reason: "must be printable ASCII without spaces")
    }
    return value
  }

  static func deterministicBytes(_ message: some SwiftProtobuf.Message) throws(ServiceError) -> Data
  {
    var options = BinaryEncodingOptions()
    options.useDeterministicOrdering = true
    do {
      return try message.serializedBytes(options: options)
    } catch {
      throw .internalError("cannot encode the request")
    }
  }

  /// Spend per category over the lines (a category on several lines counts once).
  var categorySpend: [String: Int64] {
    items.reduce(into: [:]) { spend, item in
      spend[item.category.trimmingCharacters(in: .whitespacesAndNewlines), default: 0] +=
        item.amountMinor
    }
  }
}
