import Contracts
import GRPCCore
import Interaction
import SwiftProtobuf
import Testing

@Suite("Interaction: templates filled from the profile")
struct TemplateTests {
  @Test("a template renders name, tier and tags from the customer's profile copy")
  func render() async throws {
    try await InteractionHarness.run { h in
      _ = try await h.client.upsertTemplate(.with {
        $0.template = .with { $0.templateID = "hello"; $0.body = "Hi {{ name }}, welcome ({{tier}}|{{tags}})." }
      })
      try await h.register("c1", name: "Li Lei")
      let text = try await h.client.renderTemplate(.with { $0.templateID = "hello"; $0.customerID = "c1" }).text
      #expect(text == "Hi Li Lei, welcome (|).")
      let defaults = try await h.client.renderTemplate(.with { $0.templateID = "birthday_greeting"; $0.customerID = "c1" }).text
      #expect(defaults == "Happy birthday, Li Lei! A gift coupon is waiting for you.")
    }
  }

  @Test("an unknown placeholder is refused when saved; unknown template and profile fail clearly")
  func errors() async throws {
    try await InteractionHarness.run { h in
      let unknown = await rpcFailure {
        _ = try await h.client.upsertTemplate(.with { $0.template = .with { $0.templateID = "t"; $0.body = "Hi {{nickname}}" } })
      }
      #expect(unknown?.code == .invalidArgument)
      #expect(unknown?.message.hasPrefix("template.body:") == true)
      #expect(unknown?.message.contains("nickname") == true)
      let unclosed = await rpcFailure {
        _ = try await h.client.upsertTemplate(.with { $0.template = .with { $0.templateID = "t"; $0.body = "Hi {{name" } })
      }
      #expect(unclosed?.code == .invalidArgument)
      let missing = await rpcFailure { _ = try await h.client.renderTemplate(.with { $0.templateID = "t"; $0.customerID = "c1" }) }
      #expect(missing?.code == .notFound)
      let noProfile = await rpcFailure {
        _ = try await h.client.renderTemplate(.with { $0.templateID = "welcome_pack"; $0.customerID = "never-seen" })
      }
      #expect(noProfile?.code == .unavailable)
    }
  }
}
