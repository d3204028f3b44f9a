import Contracts
import Foundation
import GRDB
import GRPCCore
import GRPCInProcessTransport
import Logging
import ServiceKit
import ServiceKitTesting
import Synchronization
import Trust

/// The trust service on an in-process transport over an in-memory store, with the store and
/// clock at hand so tests can move time and check rows.
struct TrustHarness {
  typealias Client = Crm_Trust_V1_TrustService.Client<InProcessTransport.Client>

  let client: Client
  let database: any DatabaseWriter
  let clock: ManualClock

  static func run(
    purchases: (any PurchaseRecords)? = nil, policy: ReviewPolicy = ReviewPolicy(),
    database: (any DatabaseWriter)? = nil, clock: ManualClock = ManualClock(),
    _ body: (TrustHarness) async throws -> Void
  ) async throws {
    let database = try database ?? StoreOpener.inMemory(migrator: TrustStore.migrator)
    let service = TrustService(
      store: TrustStore(database: database), clock: clock, logger: Logger(label: "test"),
      purchases: purchases, policy: policy)
    try await withInProcessServer([service]) { client in
      try await body(TrustHarness(client: Client(wrapping: client), database: database, clock: clock))
    }
  }

  /// Submits a review and publishes it; returns the published review.
  @discardableResult
  func publishedReview(
    customer: String, product: String = "p-phone", rating: Int32, text: String? = nil, photos: [String] = [],
    business: String = ""
  ) async throws -> Crm_Trust_V1_Review {
    let created = try await client.createReview(.with {
      $0.review = .with {
        $0.customerID = customer
        $0.productID = product
        $0.rating = rating
        $0.text = text ?? "Review by \(customer) of \(product)"
        $0.photoRefs = photos
        $0.businessID = business
      }
    }).review
    return try await client.moderateReview(.with {
      $0.reviewID = created.reviewID
      $0.decision = .publish
    }).review
  }
}

/// Purchase records in memory: what segmentation would answer, or UNAVAILABLE when down.
final class FakePurchaseRecords: PurchaseRecords {
  private struct State {
    var bought: Set<String> = []
    var orders: [String: Crm_Segmentation_V1_Purchase] = [:]
    var down = false
    var checks = 0
    var businesses: Set<String> = []
  }
  private let state = Mutex(State())

  func buy(customer: String, product: String) { _ = state.withLock { $0.bought.insert("\(customer)/\(product)") } }
  func record(_ purchase: Crm_Segmentation_V1_Purchase) { state.withLock { $0.orders[purchase.orderID] = purchase } }
  func markBusiness(_ customer: String) { _ = state.withLock { $0.businesses.insert(customer) } }
  func setDown(_ down: Bool) { state.withLock { $0.down = down } }
  var checks: Int { state.withLock { $0.checks } }

  func checkPurchase(customerID: String, productID: String) async throws -> Crm_Segmentation_V1_CheckPurchaseResponse {
    try state.withLock { state in
      state.checks += 1
      if state.down { throw ServiceError.unavailable("segmentation (fake) is down") }
      return .with { $0.purchased = state.bought.contains("\(customerID)/\(productID)") }
    }
  }

  func purchase(orderID: String) async throws -> Crm_Segmentation_V1_Purchase {
    try state.withLock { state in
      if state.down { throw ServiceError.unavailable("segmentation (fake) is down") }
      guard let purchase = state.orders[orderID] else { throw ServiceError.notFound("purchase \(orderID)") }
      return purchase
    }
  }

  func isBusinessCustomer(_ customerID: String) async throws -> Bool {
    try state.withLock { state in
      if state.down { throw ServiceError.unavailable("segmentation (fake) is down") }
      return state.businesses.contains(customerID)
    }
  }
}
