import Contracts
import GRPCCore
import Testing

@Suite("Loyalty: ListLedgerEntries through the gRPC client")
struct LedgerEntriesTests {
  @Test("entries come newest first, page by page, each exactly once")
  func paging() async throws {
    try await LoyaltyHarness.run { loyalty in
      // Given 7 entries a minute apart
      for points in 1...7 {
        try await loyalty.earn("alice", Int64(points))
        loyalty.clock.advance(by: 60)
      }
      try await loyalty.earn("bob", 1000)

      // When read 3 at a time
      var pages: [[Int64]] = []
      var token = ""
      repeat {
        let page = try await loyalty.client.listLedgerEntries(
          .with {
            $0.customerID = "alice"
            $0.page.pageSize = 3
            $0.page.pageToken = token
          })
        pages.append(page.entries.map(\.points))
        token = page.page.nextPageToken
      } while !token.isEmpty

      // Then
      #expect(pages == [[7, 6, 5], [4, 3, 2], [1]])
    }
  }

  @Test("entries of the same instant are neither lost nor repeated across pages")
  func sameInstant() async throws {
    try await LoyaltyHarness.run { loyalty in
      for _ in 1...5 { try await loyalty.earn("alice", 1) }
      let ids = try await loyalty.allEntries("alice", pageSize: 2).map(\.entryID)
      #expect(ids.count == 5)
      #expect(Set(ids).count == 5)
    }
  }

  @Test(
    "bad input is INVALID_ARGUMENT naming the field",
    arguments: ["customer_id", "page.page_size", "page.page_token"])
  func badInput(field: String) async throws {
    try await LoyaltyHarness.run { loyalty in
      try await loyalty.earn("alice", 1)
      try await loyalty.earn("bob", 1)
      try await loyalty.earn("bob", 1)
      let bobsToken = try await loyalty.client.listLedgerEntries(
        .with {
          $0.customerID = "bob"
          $0.page.pageSize = 1
        }
      ).page.nextPageToken
      for token in field == "page.page_token" ? ["garbage", bobsToken] : [""] {
        let error = await rpcError {
          _ = try await loyalty.client.listLedgerEntries(
            .with {
              $0.customerID = field == "customer_id" ? "" : "alice"
              $0.page.pageSize = field == "page.page_size" ? -1 : 0
              $0.page.pageToken = token
            })
        }
        #expect(error?.code == .invalidArgument)
        #expect(error?.message.hasPrefix("\(field):") == true, "\(error?.message ?? "")")
      }
    }
  }

  @Test("an unknown account is NOT_FOUND")
  func unknownAccount() async throws {
    try await LoyaltyHarness.run { loyalty in
      let error = await rpcError {
        _ = try await loyalty.client.listLedgerEntries(.with { $0.customerID = "nobody" })
      }
      #expect(error?.code == .notFound)
    }
  }
}
