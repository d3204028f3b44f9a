import Contracts
import Foundation
import GRPCCore
import Interaction
import ServiceKit
import ServiceKitTesting
import SwiftProtobuf
import Testing

/// Tier, time zone and name from a real segmentation-service on loopback, and the fallbacks
/// when it goes down.
@Suite("Interaction: profiles from segmentation, with fallbacks")
struct SegmentationTierTests {
  @Test("moments use segmentation's zone; its last copy when it is down; the default plan when none")
  func tierAndZoneFromSegmentation() async throws {
    let data = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: data) }
    let segmentation = try await ServiceProcess("segmentation-service", dataDirectory: data)
    let created = try await segmentation.withClient { client in
      try await Crm_Segmentation_V1_SegmentationService.Client(wrapping: client).createCustomer(.with {
        $0.customer = .with { $0.type = .individual; $0.displayName = "Wang Fang"; $0.timeZone = "Asia/Shanghai" }
      }).customer
    }
    let peer = try PeerClient(
      peer: .segmentation, address: PeerAddress(host: "127.0.0.1", port: segmentation.port), timeout: .milliseconds(500))
    // 15:00 UTC is 23:00 in Shanghai: quiet hours show which zone was used.
    let clock = ManualClock(start: Date(iso: "2026-01-01T15:00:00Z"))
    try await withPeerConnections(peer) {
      try await InteractionHarness.run(directory: SegmentationDirectory(peer: peer, clock: clock), clock: clock) { h in
        let id = created.customerID
        let fresh = try await h.client.recordMoment(.with { $0.customerID = id; $0.kind = "registration"; $0.occurrenceID = "r1" })
        #expect(fresh.moment.tierSource == .segmentation)
        #expect(fresh.moment.tier == created.tier)
        #expect(fresh.tasks[0].dueTime.date == Date(iso: "2026-01-02T00:00:00Z"))
        let text = try await h.client.renderTemplate(.with { $0.templateID = "welcome_pack"; $0.customerID = id }).text
        #expect(text.hasPrefix("Welcome, Wang Fang!"))
        let unknown = await rpcFailure {
          _ = try await h.client.recordMoment(.with { $0.customerID = "no-such"; $0.kind = "registration"; $0.occurrenceID = "r" })
        }
        #expect(unknown?.code == .notFound)

        _ = await segmentation.terminate()
        let started = ContinuousClock.now
        let stale = try await h.client.recordMoment(.with { $0.customerID = id; $0.kind = "churn_warning"; $0.occurrenceID = "w1" })
        #expect(stale.moment.tierSource == .staleCopy)
        #expect(stale.tasks.count == 2)
        let never = try await h.client.recordMoment(.with { $0.customerID = "never-seen"; $0.kind = "registration"; $0.occurrenceID = "r" })
        #expect(never.moment.tierSource == .default)
        #expect(never.tasks.count == 3)
        #expect(ContinuousClock.now - started < .seconds(5))
      }
    }
  }
}
