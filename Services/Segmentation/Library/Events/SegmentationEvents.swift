import Contracts
import Foundation
import GRDB
import ServiceKit
import SwiftProtobuf

/// What segmentation tells the other services, recorded in its outbox in the same
/// transaction as the change (so an event exists exactly when its change does).
///
/// Each kind goes only to the services that consume it today; adding a consumer is adding
/// it here and giving it an `EventSink`.
enum SegmentationEvents {
  /// Consumers of purchase events: loyalty earns points, interaction starts the
  /// first-purchase moment.
  static let purchaseConsumers: [SuiteService] = [.interaction, .loyalty]
  /// Consumers of refunds: loyalty takes the order's points back.
  static let refundConsumers: [SuiteService] = [.loyalty]
  /// Consumers of registrations: interaction starts the welcome moment.
  static let registrationConsumers: [SuiteService] = [.interaction]
  /// Consumers of lifecycle-stage changes: interaction's churn-warning care, loyalty's
  /// come-back coupon.
  static let stageConsumers: [SuiteService] = [.interaction, .loyalty]

  /// Every service segmentation sends events to, for the relay and the status RPC: derived
  /// from the per-kind consumers so the two can never disagree.
  static var destinations: [SuiteService] {
    let all = purchaseConsumers + refundConsumers + registrationConsumers + stageConsumers
    return SuiteService.allCases.filter { all.contains($0) }
  }

  static func customerRegistered(_ db: Database, record: CustomerRecord, now: Date) throws {
    let event = EventStore.event(
      from: .segmentation, customerID: record.id, at: now,
      payload: .customerRegistered(.with {
        $0.displayName = record.displayName
        $0.timeZone = record.timeZone
      }))
    try EventStore.enqueue(db, event, to: registrationConsumers, now: now)
  }

  static func stageChanged(
    _ db: Database, customerID: String, from: String, to: String, now: Date
  ) throws {
    let event = EventStore.event(
      from: .segmentation, customerID: customerID, at: now,
      payload: .lifecycleStageChanged(.with {
        $0.fromStage = from
        $0.toStage = to
      }))
    try EventStore.enqueue(db, event, to: stageConsumers, now: now)
  }

  static func purchaseRecorded(
    _ db: Database, record: PurchaseRecord, items: [Crm_Segmentation_V1_PurchaseItem], firstPurchase: Bool, now: Date
  ) throws {
    let event = EventStore.event(
      from: .segmentation, customerID: record.customerID, at: now,
      payload: .purchaseRecorded(.with {
        $0.orderID = record.orderID
        $0.amount = .with {
          $0.amountMinor = record.amountMinor
          $0.currency = record.currency
        }
        $0.items = items.map { item in
          .with {
            $0.productID = item.productID
            $0.category = item.category
            $0.quantity = item.quantity
            $0.amountMinor = item.amountMinor
          }
        }
        $0.purchaseTime = Google_Protobuf_Timestamp(storeDate: record.purchasedAt)
        $0.channel = record.channel
        $0.firstPurchase = firstPurchase
      }))
    try EventStore.enqueue(db, event, to: purchaseConsumers, now: now)
  }

  static func purchaseRefunded(_ db: Database, refund: RefundRecord, order: PurchaseRecord, now: Date) throws {
    let event = EventStore.event(
      from: .segmentation, customerID: order.customerID, at: now,
      payload: .purchaseRefunded(.with {
        $0.refundID = refund.id
        $0.orderID = order.orderID
        $0.refundAmount = .with {
          $0.amountMinor = refund.amountMinor
          $0.currency = order.currency
        }
        $0.orderAmount = .with {
          $0.amountMinor = order.amountMinor
          $0.currency = order.currency
        }
      }))
    try EventStore.enqueue(db, event, to: refundConsumers, now: now)
  }
}

extension SegmentationService {
  /// The services segmentation delivers events to.
  public static var eventDestinations: [SuiteService] { SegmentationEvents.destinations }
}
