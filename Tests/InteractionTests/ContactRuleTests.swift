import Contracts
import Foundation
import GRPCCore
import Interaction
import ServiceKit
import SwiftProtobuf
import Testing

@Suite("Interaction: frequency caps, quiet hours and opt-outs")
struct ContactRuleTests {
  static let promo = Crm_Interaction_V1_CarePlan.with {
    $0.momentKind = "promotion"
    $0.name = "Promotion"
    $0.steps = [.with { $0.type = "offer"; $0.channel = .email; $0.ownerRole = "marketing" }]
  }

  @Test("a new customer gets one email a week: the next is postponed, with the reason")
  func weeklyCapForNewCustomers() async throws {
    try await InteractionHarness.run { h in
      _ = try await h.client.upsertCarePlan(.with { $0.plan = Self.promo })
      try await h.register("c1")  // welcome email now (08:00 in Shanghai)
      h.clock.advance(by: 2 * 86_400)
      let promo = try await h.client.recordMoment(.with { $0.customerID = "c1"; $0.kind = "promotion"; $0.occurrenceID = "p1" }).tasks[0]
      #expect(promo.status == .open)
      #expect(promo.plannedTime.date == h.clock.now())
      // Welcome on local day 0, so the next email may go on local day 7, same local time.
      #expect(promo.dueTime.date == Date(iso: "2026-01-08T00:00:00Z"))
      #expect(promo.deferralReason.contains("frequency cap"))
      let figures = try await h.client.getInteractionFigures(.with {
        $0.fromTime = .init(date: Date(iso: "2026-01-01T00:00:00Z")); $0.toTime = .init(date: Date(iso: "2026-02-01T00:00:00Z"))
      })
      #expect(figures.overall.capDeferrals == 1)
    }
  }

  @Test("existing customers (no tier) are capped monthly; transactional steps are exempt")
  func monthlyCapAndTransactional() async throws {
    try await InteractionHarness.run { h in
      _ = try await h.client.upsertCarePlan(.with { $0.plan = Self.promo })
      _ = try await h.client.recordMoment(.with { $0.customerID = "c1"; $0.kind = "promotion"; $0.occurrenceID = "p1" })
      h.clock.advance(by: 10 * 86_400)
      let second = try await h.client.recordMoment(.with { $0.customerID = "c1"; $0.kind = "promotion"; $0.occurrenceID = "p2" }).tasks[0]
      // UTC customer: quiet hours hold the first to 08:00 on day 0, so the cap frees day 30 at 08:00.
      #expect(second.dueTime.date == Date(iso: "2026-01-31T08:00:00Z"))
      var receipt = Self.promo
      receipt.momentKind = "order_confirmation"
      receipt.steps[0].transactional = true
      _ = try await h.client.upsertCarePlan(.with { $0.plan = receipt })
      let confirmation = try await h.client.recordMoment(.with { $0.customerID = "c1"; $0.kind = "order_confirmation"; $0.occurrenceID = "o1" }).tasks[0]
      #expect(confirmation.dueTime == confirmation.plannedTime)
      #expect(confirmation.deferralReason.isEmpty)
    }
  }

  @Test("quiet hours hold a message to 08:00 in the customer's time zone")
  func quietHours() async throws {
    try await InteractionHarness.run(clock: ManualClock(start: Date(iso: "2026-01-01T15:00:00Z"))) { h in
      try await h.register("c1")  // 23:00 in Shanghai
      let welcome = try await h.tasks(of: "c1")[0]
      #expect(welcome.type == "welcome_pack")
      #expect(welcome.dueTime.date == Date(iso: "2026-01-02T00:00:00Z"))
      #expect(welcome.deferralReason.contains("quiet hours"))
      // The same hour is daytime in New York: no hold.
      try await h.register("c2", zone: "America/New_York")
      let other = try await h.tasks(of: "c2")[0]
      #expect(other.dueTime == other.plannedTime)
    }
  }

  @Test("an opted-out channel gets no touch; the task says why; opting back in restores it")
  func optOut() async throws {
    try await InteractionHarness.run { h in
      let channels = try await h.client.setOptOut(.with { $0.customerID = "c1"; $0.channel = .email; $0.optedOut = true })
      #expect(channels.optedOutChannels == [.email])
      let tasks = try await h.client.recordMoment(.with { $0.customerID = "c1"; $0.kind = "registration"; $0.occurrenceID = "r" }).tasks
      #expect(tasks.map(\.status) == [.suppressed, .open, .suppressed])
      #expect(tasks[0].deferralReason.contains("opted out of email"))
      #expect(try await h.tasks(of: "c1").map(\.type) == ["first_use_call"])
      let back = try await h.client.setOptOut(.with { $0.customerID = "c1"; $0.channel = .email; $0.optedOut = false })
      #expect(back.optedOutChannels.isEmpty)
    }
  }

  @Test("a policy per tier and channel is data the operator sets")
  func editPolicy() async throws {
    try await InteractionHarness.run { h in
      _ = try await h.client.upsertContactPolicy(.with {
        $0.policy = .with { $0.tier = ""; $0.channel = .email; $0.capDays = 3; $0.quietStartMinute = 0; $0.quietEndMinute = 0 }
      })
      _ = try await h.client.upsertCarePlan(.with { $0.plan = Self.promo })
      _ = try await h.client.recordMoment(.with { $0.customerID = "c1"; $0.kind = "promotion"; $0.occurrenceID = "p1" })
      let second = try await h.client.recordMoment(.with { $0.customerID = "c1"; $0.kind = "promotion"; $0.occurrenceID = "p2" }).tasks[0]
      #expect(second.dueTime.date == h.clock.now().addingTimeInterval(3 * 86_400))
      let policies = try await h.client.listContactPolicies(.init()).policies
      #expect(policies.contains { $0.tier == "" && $0.channel == .email && $0.capDays == 3 })
      let bad = await rpcFailure { _ = try await h.client.upsertContactPolicy(.with { $0.policy = .with { $0.capDays = 0 } }) }
      #expect(bad?.message.hasPrefix("policy.cap_days:") == true)
    }
  }
}
