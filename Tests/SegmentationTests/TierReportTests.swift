import Contracts
import Foundation
import GRPCCore
import Segmentation
import ServiceKit
import ServiceKitTesting
import SwiftProtobuf
import Testing

@Suite("Segmentation: tier history and movement")
struct TierReportTests {
  @Test("retention counts the customers at the start who bought again; LTV averages the buyers' margin")
  func retentionAndLifetimeValue() async throws {
    try await SegmentationHarness.run { harness in
      // Given X and Y who bought before the period, and W who never bought
      let x = try await harness.createCustomer("X")
      let y = try await harness.createCustomer("Y")
      _ = try await harness.createCustomer("W")
      try await harness.record(harness.purchase("r-1", customer: x, amount: 10_000, margin: 3_000))
      try await harness.record(harness.purchase("r-2", customer: y, amount: 10_000, margin: 1_000))
      harness.clock.advance(by: 86_400)
      let start = Google_Protobuf_Timestamp(date: harness.clock.now())

      // When, during the period, X buys again and Z buys for the first time
      harness.clock.advance(by: 86_400)
      try await harness.record(harness.purchase("r-3", customer: x, amount: 10_000, margin: 2_000))
      let z = try await harness.createCustomer("Z")
      try await harness.record(harness.purchase("r-4", customer: z, amount: 10_000, margin: 6_000))
      harness.clock.advance(by: 86_400)
      let end = Google_Protobuf_Timestamp(date: harness.clock.now())

      // Then two customers were there at the start and one of them came back; three have
      // bought, worth (3,000 + 2,000 + 1,000 + 6,000) / 3 each
      let report = try await harness.client.getTierReport(.with {
        $0.fromTime = start
        $0.toTime = end
      })
      #expect(report.customersAtStart == 2)
      #expect(report.retainedCustomers == 1)
      #expect(report.retentionRate == 0.5)
      #expect(report.buyingCustomers == 3)
      #expect(report.averageLifetimeValue.amountMinor == 4_000)
      #expect(report.averageLifetimeValue.currency == "CNY")

      // A period before anyone bought has nobody at its start
      let before = try await harness.client.getTierReport(.with {
        $0.fromTime = Google_Protobuf_Timestamp(date: harness.clock.now().addingTimeInterval(-10 * 86_400))
        $0.toTime = start
      })
      #expect(before.customersAtStart == 0 && before.retentionRate == 0)
    }
  }

  @Test("the report gives the tier mix at `to` and the movement matrix since `from`")
  func mixAndMovement() async throws {
    try await SegmentationHarness.run { harness in
      // Given three ordinary customers at the start
      let a = try await harness.createCustomer("A")
      let b = try await harness.createCustomer("B")
      _ = try await harness.createCustomer("C")
      let start = Google_Protobuf_Timestamp(date: harness.clock.now())

      // When a day later A becomes high value, B a new buyer (potential) and D registers
      harness.clock.advance(by: 86_400)
      try await harness.record(harness.purchase("o-1", customer: a, amount: 6_000_000))
      try await harness.record(harness.purchase("o-2", customer: b, amount: 100))
      _ = try await harness.createCustomer("D")
      let end = Google_Protobuf_Timestamp(date: harness.clock.now())

      // Then the mix at the end and the movement from the start say so
      let report = try await harness.client.getTierReport(.with {
        $0.fromTime = start
        $0.toTime = end
      })
      #expect(report.tierMix.map { "\($0.tier)=\($0.customers)" } == [
        "high_value=1", "ordinary=2", "potential=1",
      ])
      #expect(report.movements.map { "\($0.fromTier)->\($0.toTier)=\($0.customers)" } == [
        "->ordinary=1", "ordinary->high_value=1", "ordinary->ordinary=1",
        "ordinary->potential=1",
      ])

      // The past is replayed: at the start everyone was ordinary
      let past = try await harness.client.getTierReport(.with {
        $0.fromTime = start
        $0.toTime = start
      })
      #expect(past.tierMix.map { "\($0.tier)=\($0.customers)" } == ["ordinary=3"])

      // History pages by key
      let first = try await harness.client.listProfileHistory(.with {
        $0.customerID = a
        $0.page.pageSize = 2
      })
      #expect(first.changes.count == 2 && !first.page.nextPageToken.isEmpty)
      let rest = try await harness.client.listProfileHistory(.with {
        $0.customerID = a
        $0.page.pageToken = first.page.nextPageToken
      })
      #expect(rest.changes.map(\.toValue) == ["high_value"])

      await expectRPCError(.invalidArgument, field: "from_time") {
        _ = try await harness.client.getTierReport(.with {
          $0.fromTime = end
          $0.toTime = start
        })
      }
      await expectRPCError(.invalidArgument, field: "to_time") {
        _ = try await harness.client.getTierReport(.with { $0.fromTime = start })
      }
      await expectRPCError(.invalidArgument, field: "page.page_token") {
        _ = try await harness.client.listProfileHistory(.with {
          $0.customerID = a
          $0.page.pageToken = "junk"
        })
      }
      await expectRPCError(.notFound) {
        _ = try await harness.client.listProfileHistory(.with { $0.customerID = "nobody" })
      }
    }
  }
}
