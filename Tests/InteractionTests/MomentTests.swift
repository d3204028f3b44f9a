import Contracts
import GRPCCore
import Interaction
import SwiftProtobuf
import Testing

@Suite("Interaction: moments create their plan's tasks once")
struct MomentTests {
  @Test("a registration creates the welcome tasks; the same occurrence again creates nothing")
  func oncePerOccurrence() async throws {
    try await InteractionHarness.run { h in
      let request = Crm_Interaction_V1_RecordMomentRequest.with {
        $0.customerID = "c1"; $0.kind = "registration"; $0.occurrenceID = "signup"
      }
      let first = try await h.client.recordMoment(request)
      #expect(first.tasks.map(\.type) == ["welcome_pack", "first_use_call", "satisfaction_survey"])
      #expect(!first.alreadyRecorded)
      // No segmentation and no copy: the plan for any tier, and the moment says so.
      #expect(first.moment.tierSource == .default)
      let again = try await h.client.recordMoment(request)
      #expect(again.alreadyRecorded)
      #expect(again.moment.momentID == first.moment.momentID)
      #expect(again.tasks.map(\.taskID) == first.tasks.map(\.taskID))
      #expect(try await h.tasks(of: "c1").count == 3)
    }
  }

  @Test("a kind without a plan is FAILED_PRECONDITION; bad fields are named")
  func errors() async throws {
    try await InteractionHarness.run { h in
      let noPlan = await rpcFailure {
        _ = try await h.client.recordMoment(.with { $0.customerID = "c1"; $0.kind = "unplanned"; $0.occurrenceID = "1" })
      }
      #expect(noPlan?.code == .failedPrecondition)
      let created = try await h.tasks(of: "c1")
      #expect(created.isEmpty)
      for (field, request) in [
        ("customer_id", Crm_Interaction_V1_RecordMomentRequest.with { $0.kind = "registration"; $0.occurrenceID = "1" }),
        ("kind", .with { $0.customerID = "c1"; $0.kind = "Not-A-Kind"; $0.occurrenceID = "1" }),
        ("occurrence_id", .with { $0.customerID = "c1"; $0.kind = "registration" }),
      ] {
        let error = await rpcFailure { _ = try await h.client.recordMoment(request) }
        #expect(error?.code == .invalidArgument)
        #expect(error?.message.hasPrefix("\(field):") == true)
      }
    }
  }
}
