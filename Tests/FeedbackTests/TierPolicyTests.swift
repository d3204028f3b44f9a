import Contracts
import Feedback
import Foundation
import GRPCCore
import ServiceKit
import ServiceKitTesting
import Synchronization
import Testing

/// A tier source with fixed answers, counting the questions; unknown customers throw.
final class FixedTiers: CustomerTierSource {
  let tiers: [String: String]
  let asked = Mutex(0)
  init(_ tiers: [String: String]) { self.tiers = tiers }
  func tier(of customerID: String) async throws -> String {
    asked.withLock { $0 += 1 }
    guard let tier = tiers[customerID] else { throw ServiceError.unavailable("segmentation down") }
    return tier
  }
}

@Suite("Feedback: SLA policies by customer tier")
struct TierPolicyTests {
  typealias H = FeedbackHarness

  static func createVIPPolicy(_ harness: H) async throws {
    _ = try await harness.client.createSlaPolicy(
      .with {
        $0.policy = .with {
          $0.policyID = "vip-fast"; $0.rank = 1; $0.customerTier = "high_value_active"
          $0.firstResponse = .init(seconds: 300); $0.nextUpdate = .init(seconds: 3600)
          $0.resolution = .init(seconds: 86400)
        }
      })
  }

  @Test("a tier policy applies to customers of that tier; others, and unknown tiers, get the rest")
  func selectsByTier() async throws {
    let tiers = FixedTiers(["vip": "high_value_active", "plain": ""])
    try await H.run(tiers: tiers) { harness in
      // Given: no tier policy yet, so segmentation is not asked at all
      _ = try await harness.createTicket(customer: "vip")
      #expect(tiers.asked.withLock { $0 } == 0)
      try await Self.createVIPPolicy(harness)
      #expect(
        try await harness.client.listSlaPolicies(.init()).policies.first?.customerTier
          == "high_value_active")
      // When
      let vip = try await harness.createTicket(customer: "vip")
      let plain = try await harness.createTicket(customer: "plain")
      let unknown = try await harness.createTicket(customer: "nobody")  // the source throws
      // Then
      #expect(vip.slaPolicyID == "vip-fast")
      #expect(vip.firstResponseDueTime.date == harness.clock.now().addingTimeInterval(300))
      #expect(plain.slaPolicyID == "tier-normal")
      #expect(unknown.slaPolicyID == "tier-normal")
      #expect(tiers.asked.withLock { $0 } == 3)
    }
  }

  @Test("the tier comes from the real segmentation-service, and its absence never blocks intake")
  func readsTierFromSegmentation() async throws {
    let segmentation = try await ServiceProcess(
      "segmentation-service", dataDirectory: try makeTemporaryDirectory())
    let customer = try await segmentation.withClient { client in
      try await Crm_Segmentation_V1_SegmentationService.Client(wrapping: client).createCustomer(
        .with {
          $0.customer = .with {
            $0.type = .individual; $0.displayName = "Li Lei"; $0.timeZone = "Asia/Shanghai"
          }
        }
      ).customer
    }
    let peer = try PeerClient(
      peer: .segmentation, address: PeerAddress(host: "127.0.0.1", port: segmentation.port),
      timeout: .milliseconds(500))
    let directory = SegmentationDirectory(peer: peer, clock: SystemClock())
    try await withPeerConnections(peer) {
      try await H.run(tiers: directory) { harness in
        try await Self.createVIPPolicy(harness)
        // Given: a customer segmentation knows, in no tier yet (tier rules give none)
        let known = try await harness.createTicket(customer: customer.customerID)
        #expect(known.slaPolicyID == (customer.tier == "high_value_active" ? "vip-fast" : "tier-normal"))
        // When: segmentation goes down
        _ = await segmentation.terminate()
        let started = ContinuousClock.now
        let stale = try await harness.createTicket(customer: customer.customerID)
        let unknown = try await harness.createTicket(customer: "never-seen")
        // Then: the last copy (or nothing known) decides, within the peer's deadline
        #expect(stale.slaPolicyID == known.slaPolicyID)
        #expect(unknown.slaPolicyID == "tier-normal")
        #expect(ContinuousClock.now - started < .seconds(5))
      }
    }
  }

  @Test("a tier condition is validated")
  func validatesTier() async throws {
    try await H.run { harness in
      await expectFailure(.invalidArgument, field: "policy.customer_tier") {
        _ = try await harness.client.createSlaPolicy(
          .with {
            $0.policy = .with {
              $0.policyID = "bad"; $0.rank = 2; $0.customerTier = String(repeating: "x", count: 65)
              $0.firstResponse = .init(seconds: 60); $0.nextUpdate = .init(seconds: 60)
              $0.resolution = .init(seconds: 60)
            }
          })
      }
    }
  }
}
