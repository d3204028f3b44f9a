import Contracts
import Foundation
import GRPCCore
import ServiceKit
import ServiceKitTesting
import Testing

/// The synchronous read path other services use: a real segmentation-service on loopback.
@Suite struct SegmentationDirectoryTests {
  @Test func readsAProfileThenFallsBackToTheLastCopyWhenSegmentationIsDown() async throws {
    let data = try makeTemporaryDirectory()
    let segmentation = try await ServiceProcess("segmentation-service", dataDirectory: data)
    let created = try await segmentation.withClient { client in
      try await Crm_Segmentation_V1_SegmentationService.Client(wrapping: client).createCustomer(.with {
        $0.customer = .with { $0.type = .individual; $0.displayName = "Wang Fang"; $0.timeZone = "Asia/Shanghai" }
      }).customer
    }
    let peer = try PeerClient(
      peer: .segmentation, address: PeerAddress(host: "127.0.0.1", port: segmentation.port), timeout: .milliseconds(500))
    let directory = SegmentationDirectory(peer: peer, clock: SystemClock())
    try await withPeerConnections(peer) {
      let fresh = try await directory.customer(created.customerID)
      #expect(!fresh.isStale)
      #expect(fresh.customer.timeZone == "Asia/Shanghai")

      await #expect(throws: ServiceError.self) { _ = try await directory.customer("no-such-customer") }

      _ = await segmentation.terminate()
      let started = ContinuousClock.now
      let stale = try await directory.customer(created.customerID)
      #expect(stale.isStale)
      #expect(stale.customer.displayName == "Wang Fang")
      // Never seen before and segmentation down: UNAVAILABLE, within the deadline's reach.
      do {
        _ = try await directory.customer("never-read")
        Issue.record("expected UNAVAILABLE")
      } catch let error as ServiceError {
        guard case .unavailable(let message) = error else { Issue.record("got \(error)"); return }
        #expect(message.contains("segmentation"))
      }
      await #expect(throws: ServiceError.self) {
        _ = try await directory.checkPurchase(customerID: created.customerID, productID: "p1")
      }
      #expect(ContinuousClock.now - started < .seconds(5))
    }
  }
}
