import Contracts
import Foundation
import ServiceKit
import SwiftProtobuf

/// The made-up people of a bulk fill: who each customer is, which ids they are known by, and
/// what they bought when. Everything is drawn from the customer's own random stream, so
/// customer `n` is the same person whatever the other counts are.
struct BulkCustomerModel {
  /// One customer as CreateCustomer and LinkIdentity would have stored them, and the orders
  /// RecordPurchase would have received, oldest first.
  struct Customer {
    var record: CustomerRecord
    /// Sorted and unique, as `CustomerFieldRules.tags` leaves them.
    var manualTags: [String]
    var identities: [CustomerIdentityRecord]
    var purchases: [Crm_Segmentation_V1_Purchase]
  }

  /// Categories of the product catalogue: product `k` is in `categories[k % count]`, so every
  /// service that fills with the same product ids agrees on them.
  static let categories = [
    "apparel", "electronics", "home", "beauty", "food", "toys", "sports", "books", "baby",
    "jewelry", "outdoor", "health",
  ]
  static let channels = ["store", "app", "web_shop", "wechat", "phone"]
  static let accountManagers = 200
  /// Manual tags and the share of customers carrying each; the two needs feed the default
  /// tier rules (high-value active, dormant high-value).
  static let tagShares: [(tag: String, share: Double)] = [
    ("after_sales_focused", 0.08), ("need:basic_service", 0.2), ("need:customisation", 0.15),
    ("parenting", 0.1), ("price_sensitive", 0.2), ("promotion_lover", 0.15),
  ]

  let seed: UInt64
  let asOf: Date
  let products: Int
  let customerID: @Sendable (Int) -> String
  let productID: @Sendable (Int) -> String

  /// How many orders each customer places: about one in ten never buys, the rest a skewed
  /// share, adding up to exactly `total`.
  static func purchaseCounts(customers: Int, total: Int, seed: UInt64) -> [Int32] {
    guard customers > 0 else { return [] }
    var random = SplitMix64(seed: seed)
    var weights = (0..<customers).map { _ in
      random.chance(0.1) ? 0 : -log(1 - random.unit()) + 0.2
    }
    if total > 0 && weights.allSatisfy({ $0 == 0 }) { weights[0] = 1 }
    let sum = weights.reduce(0, +)
    var counts = weights.map { sum > 0 ? Int32(($0 * Double(total) / sum).rounded(.down)) : 0 }
    var left = total - counts.reduce(0) { $0 + Int($1) }
    while left > 0 {
      let n = random.int(0..<customers)
      if weights[n] > 0 {
        counts[n] += 1
        left -= 1
      }
    }
    return counts
  }

  /// Customer `n` with `purchaseCount` orders numbered from `firstOrder`.
  func customer(_ n: Int, purchaseCount: Int, firstOrder: Int) -> Customer {
    var random = SplitMix64(seed: seed, stream: n)
    let day: TimeInterval = 86_400
    let id = customerID(n)
    let enterprise = random.chance(0.12)
    let registered = asOf.addingTimeInterval(-Double(random.int(5 * 86_400..<730 * 86_400)))
    let sourceChannel = Self.channels[random.int(0..<Self.channels.count)]
    let email = random.chance(0.4) ? "c\(n)@bulk.example.com" : ""
    let phone = random.chance(0.5) ? "+8613" + BulkIDs.padded(n, 9) : ""
    let manager =
      enterprise || random.chance(0.03)
      ? "am-" + BulkIDs.padded(random.int(0..<Self.accountManagers), 3) : ""
    var tags: [String] = []
    for (tag, share) in Self.tagShares where random.chance(enterprise ? min(1, share * 2) : share) {
      tags.append(tag)
    }
    if enterprise { tags.append("b2b") }
    tags.sort()

    let record = CustomerRecord(
      id: id, type: enterprise ? 2 : 1,
      displayName: enterprise ? "Enterprise \(n) Co., Ltd." : "Customer \(n)", email: email,
      phone: phone, sourceChannel: sourceChannel, accountManager: manager,
      timeZone: "Asia/Shanghai", createdAt: registered, updatedAt: registered)
    var identities = [
      CustomerIdentityRecord(
        channel: Crm_Segmentation_V1_IdentityChannel.appAccount.rawValue,
        externalID: "bulk-app-\(n)", customerID: id, linkedAt: registered)
    ]
    if !phone.isEmpty {
      identities.append(CustomerIdentityRecord(
        channel: Crm_Segmentation_V1_IdentityChannel.phone.rawValue, externalID: phone,
        customerID: id, linkedAt: registered))
    }
    if !email.isEmpty {
      identities.append(CustomerIdentityRecord(
        channel: Crm_Segmentation_V1_IdentityChannel.email.rawValue, externalID: email,
        customerID: id, linkedAt: registered))
    }

    // Most buy until today; some lapsed months ago (dormant), some over a year ago (churned).
    let lapse = random.unit()
    var lastDay =
      lapse < 0.6 ? asOf
      : lapse < 0.8 ? asOf.addingTimeInterval(-Double(random.int(91..<365)) * day)
      : asOf.addingTimeInterval(-Double(random.int(366..<730)) * day)
    if lastDay <= registered {
      lastDay = min(asOf, registered.addingTimeInterval(Double(random.int(1..<60)) * day))
    }
    let span = Int(lastDay.timeIntervalSince(registered))
    var times = (0..<purchaseCount).map { _ in
      registered.addingTimeInterval(Double(random.int(0..<max(1, span))))
    }
    times.sort()
    let purchases = times.enumerated().map { index, time in
      purchase(
        orderID: "bulk-o-" + BulkIDs.padded(firstOrder + index, 9), customerID: id, at: time,
        enterprise: enterprise, preferredChannel: sourceChannel, random: &random)
    }
    return Customer(record: record, manualTags: tags, identities: identities, purchases: purchases)
  }

  private func purchase(
    orderID: String, customerID: String, at time: Date, enterprise: Bool,
    preferredChannel: String, random: inout SplitMix64
  ) -> Crm_Segmentation_V1_Purchase {
    // Individuals spend 30 to 1,500 yuan an order, enterprises 1,000 to 50,000.
    let amount =
      Int64(enterprise ? random.logUniform(100_000, 5_000_000) : random.logUniform(3_000, 150_000))
      / 10 * 10
    let margin = Int64(Double(amount) * (0.05 + random.unit() * 0.3))
    let lines = random.int(1..<4)
    var left = amount
    var items: [Crm_Segmentation_V1_PurchaseItem] = []
    for line in 0..<lines {
      let product = random.int(0..<max(1, products))
      let lineAmount = line == lines - 1 ? left : Int64(Double(left) * random.unit() * 0.7)
      left -= lineAmount
      items.append(.with {
        $0.productID = productID(product)
        $0.category = Self.categories[product % Self.categories.count]
        $0.quantity = Int32(random.int(1..<4))
        $0.amountMinor = lineAmount
      })
    }
    let channel =
      random.chance(0.7) ? preferredChannel : Self.channels[random.int(0..<Self.channels.count)]
    return .with {
      $0.orderID = orderID
      $0.customerID = customerID
      $0.amount = .with {
        $0.amountMinor = amount
        $0.currency = "CNY"
      }
      $0.marginMinor = margin
      $0.purchaseTime = Google_Protobuf_Timestamp(date: time)
      $0.items = items
      $0.channel = channel
    }
  }

}
