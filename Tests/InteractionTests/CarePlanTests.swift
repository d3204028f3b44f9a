import Contracts
import GRPCCore
import Interaction
import Foundation
import ServiceKit
import SwiftProtobuf
import Testing

@Suite("Interaction: care plans as operator data")
struct CarePlanTests {
  @Test("the playbook's plans are there by default")
  func defaults() async throws {
    try await InteractionHarness.run { h in
      let plans = try await h.client.listCarePlans(.init()).plans
      let kinds = Set(plans.map(\.momentKind))
      #expect(kinds.isSuperset(of: ["registration", "first_purchase", "birthday", "anniversary", "service_completed", "churn_warning", "complaint_resolved", "holiday", "product_launch", "member_event", "tier_entered"]))
      let welcome = try await h.client.getCarePlan(.with { $0.momentKind = "registration" }).plan
      #expect(welcome.steps.map(\.type) == ["welcome_pack", "first_use_call", "satisfaction_survey"])
      let offsets: [Int64] = welcome.steps.map { $0.offset.seconds }
      #expect(offsets == [0, 604_800, 2_592_000])
      let complaint = try await h.client.getCarePlan(.with { $0.momentKind = "complaint_resolved" }).plan
      let firstTwo: [Int64] = complaint.steps.prefix(2).map { $0.offset.seconds }
      #expect(firstTwo == [86_400, 259_200])
      #expect(complaint.steps.last?.offset.seconds == 2_592_000)
      let highValue = try await h.client.getCarePlan(.with { $0.momentKind = "tier_entered"; $0.tier = "high_value" }).plan
      #expect(highValue.steps.map(\.type) == ["manager_introduction", "tailored_service_plan", "quarterly_event"])
    }
  }

  @Test("an edited plan is what the next moment uses; a tier's own plan wins")
  func upsert() async throws {
    // 10:00 UTC: outside the default quiet hours of a customer without a known zone.
    try await InteractionHarness.run(clock: ManualClock(start: Date(iso: "2026-01-01T10:00:00Z"))) { h in
      _ = try await h.client.upsertCarePlan(.with {
        $0.plan = .with {
          $0.momentKind = "webinar_signup"
          $0.name = "Webinar follow-up"
          $0.steps = [.with {
            $0.type = "tips"; $0.channel = .email; $0.offset = .init(seconds: 3_600, nanos: 0); $0.ownerRole = "marketing"
          }]
        }
      })
      let response = try await h.client.recordMoment(.with {
        $0.customerID = "c1"; $0.kind = "webinar_signup"; $0.occurrenceID = "w-1"
      })
      #expect(response.tasks.map(\.type) == ["tips"])
      #expect(response.tasks.first?.dueTime.date == h.clock.now().addingTimeInterval(3_600))
      #expect(response.moment.tierSource == .default)
    }
  }

  @Test("bad plans name the field; a missing plan is NOT_FOUND")
  func badInput() async throws {
    try await InteractionHarness.run { h in
      let unknownTemplate = await rpcFailure {
        _ = try await h.client.upsertCarePlan(.with {
          $0.plan = .with {
            $0.momentKind = "x"; $0.name = "x"
            $0.steps = [.with { $0.type = "t"; $0.channel = .sms; $0.ownerRole = "r"; $0.templateID = "nope" }]
          }
        })
      }
      #expect(unknownTemplate?.code == .invalidArgument)
      #expect(unknownTemplate?.message.hasPrefix("plan.steps[0].template_id:") == true)
      let badKind = await rpcFailure {
        _ = try await h.client.upsertCarePlan(.with { $0.plan = .with { $0.momentKind = "Bad Kind"; $0.name = "x" } })
      }
      #expect(badKind?.message.hasPrefix("plan.moment_kind:") == true)
      let noChannel = await rpcFailure {
        _ = try await h.client.upsertCarePlan(.with {
          $0.plan = .with { $0.momentKind = "x"; $0.name = "x"; $0.steps = [.with { $0.type = "t"; $0.ownerRole = "r" }] }
        })
      }
      #expect(noChannel?.message.hasPrefix("plan.steps[0].channel:") == true)
      let missing = await rpcFailure { _ = try await h.client.getCarePlan(.with { $0.momentKind = "nothing_here" }) }
      #expect(missing?.code == .notFound)
    }
  }
}
