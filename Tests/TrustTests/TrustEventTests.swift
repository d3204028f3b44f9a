import Contracts
import Foundation
import GRDB
import GRPCCore
import ServiceKit
import Testing
import Trust

@Suite("Trust: events through the outbox")
struct TrustEventTests {
  /// The outbox rows for `destination`, decoded, oldest first.
  static func outbox(_ database: any DatabaseWriter, to destination: SuiteService) async throws -> [Crm_Events_V1_Event] {
    try await database.read { db in
      try Data.fetchAll(
        db, sql: "SELECT event FROM outbox_event WHERE destination = ? ORDER BY seq", arguments: [destination.rawValue]
      ).map { try Crm_Events_V1_Event(serializedBytes: $0) }
    }
  }

  @Test("a submitted review is activity for segmentation; a low-rated publication opens a complaint in feedback")
  func reviewEvents() async throws {
    try await TrustHarness.run { harness in
      let low = try await harness.publishedReview(customer: "c1", rating: 2)
      try await harness.publishedReview(customer: "c2", rating: 3)

      let activity = try await Self.outbox(harness.database, to: .segmentation)
      #expect(activity.map(\.customerID) == ["c1", "c2"])
      #expect(activity.allSatisfy { $0.customerActivity.kind == "review" && $0.source == "trust" })

      let complaints = try await Self.outbox(harness.database, to: .feedback)
      #expect(complaints.count == 1)
      #expect(complaints.first?.reviewPublished.reviewID == low.reviewID)
      #expect(complaints.first?.reviewPublished.rating == 2)
      #expect(complaints.first?.customerID == "c1")
    }
  }

  @Test("a refused write leaves no event behind")
  func noEventWithoutChange() async throws {
    try await TrustHarness.run { harness in
      try await harness.publishedReview(customer: "c1", rating: 1)
      _ = try? await harness.client.createReview(.with {
        $0.review = .with { $0.customerID = "c1"; $0.productID = "p-phone"; $0.rating = 1; $0.text = "again" }
      })
      #expect(try await Self.outbox(harness.database, to: .segmentation).count == 1)
      #expect(try await Self.outbox(harness.database, to: .feedback).count == 1)
    }
  }

  @Test("trust's outbox destinations are the consumers of its events")
  func destinations() {
    #expect(Set(TrustService.eventDestinations) == [.feedback, .loyalty, .segmentation])
  }
}
