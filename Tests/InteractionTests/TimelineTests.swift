import Contracts
import Foundation
import GRPCCore
import Interaction
import SwiftProtobuf
import Testing

@Suite("Interaction: one timeline per customer across channels")
struct TimelineTests {
  func log(_ h: InteractionHarness, _ customer: String, _ channel: Crm_Interaction_V1_Channel, thread: String = "", type: String = "chat", content: String = "")
    async throws -> Crm_Interaction_V1_Interaction
  {
    h.clock.advance(by: 60)
    return try await h.client.logInteraction(.with {
      $0.interaction = .with { $0.customerID = customer; $0.type = type; $0.channel = channel; $0.threadID = thread; $0.content = content }
    }).interaction
  }

  @Test("newest first, paged, only the customer's touches")
  func paging() async throws {
    try await InteractionHarness.run { h in
      var logged: [String] = []
      for i in 0..<5 { logged.append(try await log(h, "c1", i % 2 == 0 ? .messaging : .phone).interactionID) }
      _ = try await log(h, "c2", .sms)
      var seen: [String] = []
      var token = ""
      repeat {
        let page = try await h.client.listTimeline(.with { $0.customerID = "c1"; $0.page = .with { $0.pageSize = 2; $0.pageToken = token } })
        seen += page.interactions.map(\.interactionID)
        token = page.page.nextPageToken
      } while !token.isEmpty
      #expect(seen == logged.reversed())
      let bad = await rpcFailure { _ = try await h.client.listTimeline(.with { $0.customerID = "c1"; $0.page.pageToken = "junk" }) }
      #expect(bad?.message.hasPrefix("page.page_token:") == true)
    }
  }

  @Test("a chat moved to the hotline keeps its thread; another customer's thread is refused")
  func threads() async throws {
    try await InteractionHarness.run { h in
      let chat = try await log(h, "c1", .messaging)
      #expect(chat.threadID == chat.interactionID)
      let call = try await log(h, "c1", .phone, thread: chat.threadID)
      #expect(call.threadID == chat.threadID)
      _ = try await log(h, "c1", .email)
      let thread = try await h.client.listTimeline(.with { $0.customerID = "c1"; $0.threadID = chat.threadID }).interactions
      #expect(thread.map(\.channel) == [.phone, .messaging])
      let foreign = await rpcFailure { _ = try await log(h, "c2", .phone, thread: chat.threadID) }
      #expect(foreign?.message.hasPrefix("interaction.thread_id:") == true)
    }
  }

  @Test("a co-creation suggestion is its own type and needs its content")
  func coCreation() async throws {
    try await InteractionHarness.run { h in
      let idea = try await log(h, "c1", .messaging, type: "co_creation", content: "Offer refills in larger bottles")
      #expect(idea.type == "co_creation")
      let empty = await rpcFailure { _ = try await log(h, "c1", .messaging, type: "co_creation") }
      #expect(empty?.message.hasPrefix("interaction.content:") == true)
    }
  }
}
