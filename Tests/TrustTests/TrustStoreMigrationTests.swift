import Contracts
import Foundation
import GRDB
import GRPCCore
import Logging
import ServiceKit
import ServiceKitTesting
import Testing
import Trust

@Suite("Trust: a store of the first release upgrades in place")
struct TrustStoreMigrationTests {
  @Test("a review written before moderation existed can be read, published and counted after the upgrade")
  func upgradesFirstReleaseStore() async throws {
    // Given a store as the first release left it, with one pending review
    let database = try DatabaseQueue()
    try TrustStore.migrator.migrate(database, upTo: "reviews-v1")
    try await database.write { db in
      try db.execute(
        sql: """
          INSERT INTO review (id, customer_id, product_id, rating, title, text, order_id, status, created_at)
          VALUES ('r-old', 'c1', 'p-phone', 4, 'Old', 'Written before moderation.', 'o-1', 1, '2025-12-01 10:00:00.000')
          """)
    }
    // When the current release opens it
    try TrustStore.migrator.migrate(database)
    let service = TrustService(store: TrustStore(database: database), clock: ManualClock(), logger: Logger(label: "test"))
    try await withInProcessServer([service]) { grpc in
      let client = Crm_Trust_V1_TrustService.Client(wrapping: grpc)
      // Then the review is there, pending and unverified, and moderation works on it
      let old = try await client.getReview(.with { $0.reviewID = "r-old" }).review
      #expect(old.status == .pending && !old.verified && old.photoRefs.isEmpty)
      _ = try await client.moderateReview(.with { $0.reviewID = "r-old"; $0.decision = .publish })
      let summary = try await client.getProductSummary(.with { $0.productID = "p-phone" }).summary
      #expect(summary.reviewCount == 1 && summary.averageRating == 4)
    }
  }
}
