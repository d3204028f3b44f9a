import Contracts
import Foundation
import GRPCCore
import SwiftProtobuf
import Testing

@Suite("Feedback: operator-defined SLA policies")
struct SLAPolicyTests {
  typealias H = FeedbackHarness

  static func policy(_ id: String = "delivery-fast", rank: Int32 = 5) -> Crm_Feedback_V1_SlaPolicy {
    .with {
      $0.policyID = id
      $0.rank = rank
      $0.priority = .normal
      $0.categoryPrefix = "delivery"
      $0.firstResponse = .init(seconds: 300)
      $0.nextUpdate = .init(seconds: 12 * 3600)
      $0.resolution = .init(seconds: 2 * 86400)
    }
  }

  @Test("a policy for a category subtree selects its new tickets, and only those")
  func categorySelector() async throws {
    try await H.run { harness in
      // Given
      let created = try await harness.client.createSlaPolicy(.with { $0.policy = Self.policy() })
        .policy
      #expect(created == Self.policy())
      // When
      let delivery = try await harness.createTicket(category: "delivery/late")
      let billing = try await harness.createTicket(category: "billing")
      let urgent = try await harness.createTicket(priority: .urgent, category: "delivery/late")
      // Then
      #expect(delivery.slaPolicyID == "delivery-fast")
      #expect(delivery.firstResponseDueTime.date == harness.clock.now() + 300)
      #expect(delivery.clock(.resolution)?.dueTime.date == harness.clock.now() + 2 * H.day)
      #expect(billing.slaPolicyID == "tier-normal")
      #expect(urgent.slaPolicyID == "tier-urgent")
      let ranks = try await harness.client.listSlaPolicies(.init()).policies.map(\.policyID)
      #expect(ranks.first == "delivery-fast")
    }
  }

  @Test("a channel selector picks phone complaints")
  func channelSelector() async throws {
    try await H.run { harness in
      var policy = Self.policy("phone-complaints", rank: 1)
      policy.kind = .complaint
      policy.priority = .unspecified
      policy.channel = .phone
      policy.categoryPrefix = ""
      _ = try await harness.client.createSlaPolicy(.with { $0.policy = policy })
      let phone = try await harness.createTicket(kind: .complaint, channel: .phone)
      let app = try await harness.createTicket(kind: .complaint, channel: .inApp)
      #expect(phone.slaPolicyID == "phone-complaints")
      #expect(app.slaPolicyID == "complaint-normal")
    }
  }

  @Test("a taken id or rank is ALREADY_EXISTS")
  func duplicates() async throws {
    try await H.run { harness in
      _ = try await harness.client.createSlaPolicy(.with { $0.policy = Self.policy() })
      await expectFailure(.alreadyExists) {
        _ = try await harness.client.createSlaPolicy(.with { $0.policy = Self.policy(rank: 6) })
      }
      await expectFailure(.alreadyExists) {
        _ = try await harness.client.createSlaPolicy(
          .with { $0.policy = Self.policy("other", rank: 31) })
      }
    }
  }

  static func broken(_ field: String) -> Crm_Feedback_V1_SlaPolicy {
    var policy = policy()
    switch field {
    case "policy.policy_id": policy.policyID = "Fast Lane"
    case "policy.rank": policy.rank = 0
    case "policy.kind": policy.kind = .UNRECOGNIZED(9)
    case "policy.category_prefix": policy.categoryPrefix = "nowhere"
    case "policy.first_response": policy.clearFirstResponse()
    case "policy.next_update": policy.nextUpdate = .init(seconds: 0, nanos: 500_000_000)
    case "policy.resolution": policy.resolution = .init(seconds: 400 * 86400)
    default: Issue.record("no way to break \(field)")
    }
    return policy
  }

  @Test(
    "bad input names the field",
    arguments: [
      "policy.policy_id", "policy.rank", "policy.kind", "policy.category_prefix",
      "policy.first_response", "policy.next_update", "policy.resolution",
    ])
  func badInput(field: String) async throws {
    try await H.run { harness in
      let policy = Self.broken(field)
      await expectFailure(.invalidArgument, field: field) {
        _ = try await harness.client.createSlaPolicy(.with { $0.policy = policy })
      }
      let policies = try await harness.client.listSlaPolicies(.init()).policies
      #expect(policies.count == 8)
    }
  }
}
