import Contracts
import Foundation
import GRPCCore
import SwiftProtobuf
import Testing

@Suite("Loyalty: long-term plans (annual memberships, B2B framework agreements)")
struct PlanTests {
  func createRequest(
    _ customer: String, kind: Crm_Loyalty_V1_PlanKind = .annualMembership, bps: Int32 = 500,
    start: Date = utc(2026, 1, 1), end: Date = utc(2027, 1, 1), autoRenew: Bool = false,
    key: String
  ) -> Crm_Loyalty_V1_CreatePlanRequest {
    .with {
      $0.customerID = customer
      $0.kind = kind
      $0.discountBps = bps
      $0.startTime = Google_Protobuf_Timestamp(date: start)
      $0.endTime = Google_Protobuf_Timestamp(date: end)
      $0.autoRenew = autoRenew
      $0.idempotencyKey.key = key
    }
  }

  func renew(_ loyalty: LoyaltyHarness, _ planID: String, key: String) async throws
    -> Crm_Loyalty_V1_Plan
  {
    try await loyalty.client.renewPlan(
      .with {
        $0.planID = planID
        $0.idempotencyKey.key = key
      }
    ).plan
  }

  @Test("a plan is created once per key, listed, expires at its end and renews once per key")
  func lifecycle() async throws {
    try await LoyaltyHarness.run { loyalty in
      // Given an annual membership for 2026 and a framework agreement starting in February
      let created = try await loyalty.client.createPlan(createRequest("alice", key: "p-1")).plan
      #expect(created.state == .active)
      #expect(created.discountBps == 500)
      #expect(created.endTime.date == utc(2027, 1, 1))
      #expect(try await loyalty.client.createPlan(createRequest("alice", key: "p-1")).plan == created)
      let reused = await rpcError {
        _ = try await loyalty.client.createPlan(createRequest("alice", bps: 600, key: "p-1"))
      }
      #expect(reused?.code == .alreadyExists)
      let agreement = try await loyalty.client.createPlan(
        createRequest(
          "alice", kind: .frameworkAgreement, bps: 1_250, start: utc(2026, 2, 1),
          end: utc(2028, 2, 1), key: "p-2")
      ).plan
      #expect(agreement.state == .scheduled)
      let listed = try await loyalty.client.listPlans(.with { $0.customerID = "alice" }).plans
      #expect(listed.map(\.planID) == [agreement.planID, created.planID])
      #expect(try await loyalty.client.listPlans(.with { $0.customerID = "bob" }).plans.isEmpty)

      // When the year ends without a renewal, the membership reads as expired
      loyalty.clock.set(utc(2027, 1, 1))
      var read = try await loyalty.client.getPlan(.with { $0.planID = created.planID }).plan
      #expect(read.state == .expired)
      #expect(
        try await loyalty.client.getPlan(.with { $0.planID = agreement.planID }).plan.state
          == .active)

      // Then a renewal adds one term, once per key
      let renewed = try await renew(loyalty, created.planID, key: "r-1")
      #expect(renewed.state == .active)
      #expect(renewed.endTime.date == utc(2028, 1, 1))
      #expect(renewed.renewals == 1)
      #expect(try await renew(loyalty, created.planID, key: "r-1") == renewed)
      #expect(try await renew(loyalty, created.planID, key: "r-2").endTime.date == utc(2029, 1, 1))
      read = try await loyalty.client.getPlan(.with { $0.planID = created.planID }).plan
      #expect(read.renewals == 2)
      #expect(read.endTime.date == utc(2029, 1, 1))
      loyalty.clock.set(utc(2029, 1, 1))
      #expect(
        try await loyalty.client.getPlan(.with { $0.planID = created.planID }).plan.state
          == .expired)
    }
  }

  @Test("an auto-renewing plan rolls into its next term until cancelled; a cancelled one does not renew")
  func autoRenewAndCancel() async throws {
    try await LoyaltyHarness.run { loyalty in
      let plan = try await loyalty.client.createPlan(
        createRequest("acme", kind: .frameworkAgreement, autoRenew: true, key: "p-1")
      ).plan

      // Past its first end it is still active, in its second term
      loyalty.clock.set(utc(2027, 3, 1))
      var read = try await loyalty.client.getPlan(.with { $0.planID = plan.planID }).plan
      #expect(read.state == .active)
      #expect(read.endTime.date == utc(2028, 1, 1))

      // Cancelled: ends its rolling, twice returns the same, renewal is FAILED_PRECONDITION
      let cancelled = try await loyalty.client.cancelPlan(.with { $0.planID = plan.planID }).plan
      #expect(cancelled.state == .cancelled)
      #expect(cancelled.cancelTime.date == utc(2027, 3, 1))
      loyalty.clock.set(utc(2029, 1, 1))
      read = try await loyalty.client.cancelPlan(.with { $0.planID = plan.planID }).plan
      #expect(read.cancelTime.date == utc(2027, 3, 1))
      #expect(read.endTime.date == utc(2028, 1, 1))
      for _ in 1...2 {
        let refused = await rpcError { _ = try await renew(loyalty, plan.planID, key: "r-1") }
        #expect(refused?.code == .failedPrecondition)
      }
      #expect(
        try await loyalty.client.getPlan(.with { $0.planID = plan.planID }).plan.renewals == 0)
    }
  }

  @Test(
    "bad input is INVALID_ARGUMENT naming the field",
    arguments: ["customer_id", "kind", "discount_bps", "start_time", "end_time", "idempotency_key.key"])
  func badInput(field: String) async throws {
    try await LoyaltyHarness.run { loyalty in
      var request = createRequest("alice", key: "p-1")
      switch field {
      case "customer_id": request.customerID = ""
      case "kind": request.kind = .unspecified
      case "discount_bps": request.discountBps = 10_001
      case "start_time": request.clearStartTime()
      case "end_time": request.endTime = Google_Protobuf_Timestamp(date: utc(2025, 1, 1))
      default: request.idempotencyKey.key = ""
      }
      let error = await rpcError { _ = try await loyalty.client.createPlan(request) }
      #expect(error?.code == .invalidArgument)
      #expect(error?.message.hasPrefix("\(field):") == true, "\(error?.message ?? "")")
      let plans = try await loyalty.client.listPlans(.with { $0.customerID = "alice" }).plans
      #expect(plans.isEmpty)
    }
  }

  @Test("an unknown plan is NOT_FOUND")
  func unknownPlan() async throws {
    try await LoyaltyHarness.run { loyalty in
      let get = await rpcError { _ = try await loyalty.client.getPlan(.with { $0.planID = "nope" }) }
      #expect(get?.code == .notFound)
      let renewal = await rpcError { _ = try await renew(loyalty, "nope", key: "r-1") }
      #expect(renewal?.code == .notFound)
      let cancel = await rpcError {
        _ = try await loyalty.client.cancelPlan(.with { $0.planID = "nope" })
      }
      #expect(cancel?.code == .notFound)
    }
  }
}
