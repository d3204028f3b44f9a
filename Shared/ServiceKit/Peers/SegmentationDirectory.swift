import Contracts
import Foundation
import GRPCCore
import Synchronization

/// What other services read from segmentation about a customer (tier, stage, time zone,
/// account manager, purchases), with a deadline, and with the last copy seen when segmentation
/// does not answer.
///
/// The cache holds the profiles read most recently (bounded); it is a fallback, not a source:
/// every read asks segmentation first, so a tier change is seen on the next call.
public final class SegmentationDirectory: Sendable {
  /// A profile as read, and whether it came from the fallback copy.
  public struct Snapshot: Sendable {
    /// The profile (its id is the live id: a merged id resolves to the survivor).
    public var customer: Crm_Segmentation_V1_Customer
    /// When it was read from segmentation.
    public var fetchedAt: Date
    /// True when segmentation did not answer and this is the last copy seen.
    public var isStale: Bool
  }

  private let peer: PeerClient
  private let clock: any WallClock
  private let capacity: Int
  private let cache = Mutex(Cache())

  private struct Cache {
    var entries: [String: (customer: Crm_Segmentation_V1_Customer, fetchedAt: Date)] = [:]
    var order: [String] = []
  }

  /// Creates a directory over a connection to segmentation; `capacity` bounds the fallback copies.
  public init(peer: PeerClient, clock: any WallClock, capacity: Int = 50_000) {
    precondition(peer.peer == .segmentation, "SegmentationDirectory needs a client for segmentation")
    self.peer = peer
    self.clock = clock
    self.capacity = capacity
  }

  /// The customer's profile. NOT_FOUND when segmentation has no such customer; when
  /// segmentation is down or slow, the last copy seen (``Snapshot/isStale``), or UNAVAILABLE
  /// when there is none.
  public func customer(_ customerID: String) async throws -> Snapshot {
    do {
      let response = try await peer.call("GetCustomer") { client, options in
        try await Crm_Segmentation_V1_SegmentationService.Client(wrapping: client)
          .getCustomer(.with { $0.customerID = customerID }, options: options)
      }
      let now = clock.now()
      remember(response.customer, asked: customerID, at: now)
      return Snapshot(customer: response.customer, fetchedAt: now, isStale: false)
    } catch let error as ServiceError {
      guard case .unavailable = error, let cached = cached(customerID) else { throw error }
      return Snapshot(customer: cached.customer, fetchedAt: cached.fetchedAt, isStale: true)
    }
  }

  /// Whether the customer bought the product in an order not fully refunded. Never answered
  /// from a cache: a verified mark must be true when given. UNAVAILABLE when segmentation does
  /// not answer.
  public func checkPurchase(customerID: String, productID: String) async throws
    -> Crm_Segmentation_V1_CheckPurchaseResponse
  {
    try await peer.call("CheckPurchase") { client, options in
      try await Crm_Segmentation_V1_SegmentationService.Client(wrapping: client)
        .checkPurchase(.with { $0.customerID = customerID; $0.productID = productID }, options: options)
    }
  }

  /// One recorded order (for its date, buyer and refunds). NOT_FOUND for an unknown order;
  /// UNAVAILABLE when segmentation does not answer.
  public func purchase(orderID: String) async throws -> Crm_Segmentation_V1_Purchase {
    try await peer.call("GetPurchase") { client, options in
      try await Crm_Segmentation_V1_SegmentationService.Client(wrapping: client)
        .getPurchase(.with { $0.orderID = orderID }, options: options)
    }.purchase
  }

  private func remember(_ customer: Crm_Segmentation_V1_Customer, asked: String, at now: Date) {
    cache.withLock { cache in
      for id in Set([asked, customer.customerID]) {
        if cache.entries.updateValue((customer, now), forKey: id) == nil { cache.order.append(id) }
      }
      // Oldest insertions go first; amortised by dropping a tenth at a time.
      if cache.order.count > capacity {
        let drop = max(1, capacity / 10)
        for id in cache.order.prefix(drop) { cache.entries[id] = nil }
        cache.order.removeFirst(drop)
      }
    }
  }

  private func cached(_ customerID: String) -> (customer: Crm_Segmentation_V1_Customer, fetchedAt: Date)? {
    cache.withLock { $0.entries[customerID] }
  }
}
