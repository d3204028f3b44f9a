import Contracts
import Foundation
import GRDB
import SwiftProtobuf

extension PurchaseRecord {
  /// The purchase as the API shows it, with its lines in the order they were sent.
  func message(_ db: Database) throws -> Crm_Segmentation_V1_Purchase {
    let items = try PurchaseItemRecord.fetchAll(
      db.cachedStatement(sql: "SELECT * FROM purchase_item WHERE order_id = ? ORDER BY line"),
      arguments: [orderID])
    return .with {
      $0.orderID = orderID
      $0.customerID = customerID
      $0.amount = .with {
        $0.amountMinor = amountMinor
        $0.currency = currency
      }
      $0.marginMinor = marginMinor
      $0.purchaseTime = Google_Protobuf_Timestamp(storeDate: purchasedAt)
      $0.items = items.map { item in
        .with {
          $0.productID = item.productID
          $0.category = item.category
          $0.quantity = Int32(item.quantity)
          $0.amountMinor = item.amountMinor
        }
      }
      $0.channel = channel
      $0.refundedMinor = refundedMinor
      $0.recordTime = Google_Protobuf_Timestamp(storeDate: recordedAt)
    }
  }
}

extension RefundRecord {
  /// The refund as the API shows it; the currency is the order's.
  func message(currency: String) -> Crm_Segmentation_V1_Refund {
    .with {
      $0.refundID = id
      $0.orderID = orderID
      $0.amount = .with {
        $0.amountMinor = amountMinor
        $0.currency = currency
      }
      $0.recordTime = Google_Protobuf_Timestamp(storeDate: recordedAt)
    }
  }
}
