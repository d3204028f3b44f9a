import Contracts
import Foundation
import GRDB
import ServiceKit
import SwiftProtobuf

/// Builds the profile message: the row, its tags, identities and merged ids, and the figures
/// over time windows that move with the clock rather than with writes.
enum CustomerProfile {
  /// The days that make "annual" spend.
  static let annualDays = 365
  /// The calendar months that make "recent" purchases.
  static let recentMonths = 3

  static func message(_ db: Database, record: CustomerRecord, now: Date) throws
    -> Crm_Segmentation_V1_Customer
  {
    // Cached statements: this runs on every profile read, and a profile shows that
    // generating and compiling these queries each time cost more CPU than running them.
    let tags = try String.fetchAll(
      db.cachedStatement(sql: "SELECT tag FROM customer_tag WHERE customer_id = ? ORDER BY tag"),
      arguments: [record.id])
    let identities = try CustomerIdentityRecord.fetchAll(
      db.cachedStatement(
        sql: "SELECT * FROM customer_identity WHERE customer_id = ? ORDER BY channel, external_id"),
      arguments: [record.id])
    let mergedIDs = try String.fetchAll(
      db.cachedStatement(sql: "SELECT id FROM customer WHERE merged_into = ? ORDER BY id"),
      arguments: [record.id])
    let windows = try windowFigures(db, customerID: record.id, now: now)

    var message = record.message(tags: tags)
    message.identities = identities.map(\.message)
    message.mergedCustomerIds = mergedIDs
    if !record.currency.isEmpty {
      message.totalSpend = .with {
        $0.amountMinor = record.totalSpendMinor
        $0.currency = record.currency
      }
      message.totalMargin = .with {
        $0.amountMinor = record.totalMarginMinor
        $0.currency = record.currency
      }
      message.annualSpend = .with {
        $0.amountMinor = windows.annualSpend
        $0.currency = record.currency
      }
    }
    message.purchasesLast3Months = Int32(clamping: windows.recentPurchases)
    message.purchaseCount = record.purchaseCount
    if let first = record.firstPurchaseAt { message.firstPurchaseTime = .init(storeDate: first) }
    if let last = record.lastPurchaseAt { message.lastPurchaseTime = .init(storeDate: last) }
    message.preferredCategories = CategoryRanking.decode(record.preferredCategories)
    return message
  }

  /// Annual spend and recent purchases: one range of the covering index
  /// `purchase_by_customer_time` each, bounded by the window rather than the history.
  static func windowFigures(_ db: Database, customerID: String, now: Date) throws
    -> (annualSpend: Int64, recentPurchases: Int64)
  {
    let (yearAgo, recentStart) = windowStarts(now: now)
    let annual =
      try Int64.fetchOne(
        db.cachedStatement(
          sql: """
            SELECT COALESCE(SUM(amount_minor - refunded_minor), 0) FROM purchase
            WHERE customer_id = ? AND purchased_at > ?
            """),
        arguments: [customerID, yearAgo]) ?? 0
    let recent =
      try Int64.fetchOne(
        db.cachedStatement(
          sql: """
            SELECT COUNT(*) FROM purchase
            WHERE customer_id = ? AND purchased_at > ? AND (refunded_minor < amount_minor OR amount_minor = 0)
            """),
        arguments: [customerID, recentStart]) ?? 0
    return (annual, recent)
  }
}

extension CustomerProfile {
  /// Months are counted in UTC; made once, as building a calendar costs more than the query.
  private static let utcCalendar: Calendar = {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "UTC")!
    return calendar
  }()

  /// Where the two windows start at `now`: a purchase counts when it is strictly later.
  static func windowStarts(now: Date) -> (yearAgo: Date, recentStart: Date) {
    let recentStart = utcCalendar.date(byAdding: .month, value: -recentMonths, to: now) ?? now
    return (windowStarts(yearAgoOf: now), recentStart)
  }

  /// The start of the annual window at `now`.
  static func windowStarts(yearAgoOf now: Date) -> Date {
    now.addingTimeInterval(-Double(annualDays) * 86_400)
  }
}

extension CustomerIdentityRecord {
  var message: Crm_Segmentation_V1_ChannelIdentity {
    .with {
      $0.channel = Crm_Segmentation_V1_IdentityChannel(rawValue: channel) ?? .unspecified
      $0.externalID = externalID
      $0.linkTime = Google_Protobuf_Timestamp(storeDate: linkedAt)
    }
  }
}
