import Foundation
import ServiceKit

/// Decides a review's verified mark before its write transaction.
///
/// A review is verified only when the purchase records confirm the purchase now. When they
/// cannot answer: a verified-only store fails the call with UNAVAILABLE (it can neither accept
/// nor honestly refuse); any other store accepts the review unverified, and the next edit asks
/// again. With no purchase records configured every review is unverified.
struct PurchaseVerification {
  let records: (any PurchaseRecords)?
  let policy: ReviewPolicy

  func verified(customerID: String, productID: String) async throws -> Bool {
    guard let records else {
      if policy.verifiedOnly {
        throw ServiceError.unavailable("purchase checks are not configured; this store accepts verified reviews only")
      }
      return false
    }
    let purchased: Bool
    do {
      purchased = try await records.checkPurchase(customerID: customerID, productID: productID).purchased
    } catch let error as ServiceError {
      switch error {
      case .unavailable where !policy.verifiedOnly: return false
      case .notFound: purchased = false
      default: throw error
      }
    }
    if policy.verifiedOnly && !purchased {
      throw ServiceError.failedPrecondition(
        "this store accepts reviews of verified purchases only; customer \(customerID) has no purchase of product \(productID)")
    }
    return purchased
  }
}
