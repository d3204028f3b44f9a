import Contracts
import GRPCCore
import Testing

@Suite("Feedback: the operator's category tree")
struct CategoryTests {
  @Test("a fresh store has the default tree with the playbook's pain points")
  func defaultTree() async throws {
    try await FeedbackHarness.run { harness in
      // When
      let paths = try await harness.client.listCategories(.init()).categories.map(\.path)
      // Then
      for path in [
        "service/late", "operation/complex", "delivery/late", "product/quality", "billing", "other",
      ] {
        #expect(paths.contains(path), "\(path)")
      }
      #expect(paths == paths.sorted())
    }
  }

  @Test("a category goes under its parent; listing a parent gives its subtree, paged")
  func createUnderParent() async throws {
    try await FeedbackHarness.run { harness in
      // Given
      let created = try await harness.client.createCategory(
        .with { $0.category.path = "delivery/late/courier" }
      ).category
      #expect(created.parentPath == "delivery/late")
      #expect(created.displayName == "courier")
      #expect(created.createTime.date == harness.clock.now())
      // When
      let first = try await harness.client.listCategories(
        .with {
          $0.parentPath = "delivery"; $0.page.pageSize = 2
        })
      let second = try await harness.client.listCategories(
        .with {
          $0.parentPath = "delivery";
          $0.page = .with {
            $0.pageSize = 2; $0.pageToken = first.page.nextPageToken
          }
        })
      // Then
      #expect(first.categories.map(\.path) == ["delivery/damaged", "delivery/late"])
      #expect(second.categories.map(\.path) == ["delivery/late/courier"])
      #expect(second.page.nextPageToken.isEmpty)
    }
  }

  @Test("a ticket can use a category once it exists")
  func ticketWithNewCategory() async throws {
    try await FeedbackHarness.run { harness in
      await expectFailure(.invalidArgument, field: "ticket.category") {
        _ = try await harness.createTicket(category: "app/crash")
      }
      _ = try await harness.client.createCategory(.with { $0.category.path = "app" })
      _ = try await harness.client.createCategory(
        .with {
          $0.category.path = "app/crash"; $0.category.displayName = "App crashes"
        })
      let ticket = try await harness.createTicket(category: "app/crash")
      #expect(ticket.category == "app/crash")
    }
  }

  @Test("an unknown parent is NOT_FOUND, an existing path ALREADY_EXISTS")
  func parentAndDuplicate() async throws {
    try await FeedbackHarness.run { harness in
      await expectFailure(.notFound) {
        _ = try await harness.client.createCategory(.with { $0.category.path = "nope/child" })
      }
      await expectFailure(.alreadyExists) {
        _ = try await harness.client.createCategory(.with { $0.category.path = "billing" })
      }
      await expectFailure(.notFound) {
        _ = try await harness.client.listCategories(.with { $0.parentPath = "nope" })
      }
    }
  }

  @Test(
    "a malformed path names the field",
    arguments: ["", "Delivery", "a//b", "a/b/c/d/e", "a b", "/a"])
  func badPath(path: String) async throws {
    try await FeedbackHarness.run { harness in
      await expectFailure(.invalidArgument, field: "category.path") {
        _ = try await harness.client.createCategory(.with { $0.category.path = path })
      }
    }
  }

  @Test("a bad page token or size names the field")
  func badPaging() async throws {
    try await FeedbackHarness.run { harness in
      await expectFailure(.invalidArgument, field: "page.page_token") {
        _ = try await harness.client.listCategories(.with { $0.page.pageToken = "garbage" })
      }
      await expectFailure(.invalidArgument, field: "page.page_size") {
        _ = try await harness.client.listCategories(.with { $0.page.pageSize = -1 })
      }
      let other = try await harness.client.listCategories(
        .with {
          $0.parentPath = "service"; $0.page.pageSize = 1
        })
      await expectFailure(.invalidArgument, field: "page.page_token") {
        _ = try await harness.client.listCategories(
          .with { $0.page.pageToken = other.page.nextPageToken })
      }
    }
  }
}
