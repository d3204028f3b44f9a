import Contracts
import Foundation
import GRPCCore
import Interaction
import ServiceKit
import SwiftProtobuf
import Testing

@Suite("Interaction: care tasks per owner and per customer")
struct TaskTests {
  @Test("an owner's due list, overdue flag, paging")
  func dueAndOverdue() async throws {
    try await InteractionHarness.run(clock: ManualClock(start: Date(iso: "2026-01-01T10:00:00Z"))) { h in
      for customer in ["c1", "c2", "c3"] {
        _ = try await h.client.recordMoment(.with { $0.customerID = customer; $0.kind = "churn_warning"; $0.occurrenceID = "w" })
      }
      // care_call due after 1 day, come_back_offer after 2 days, all owned by care_team.
      var due = try await h.client.listTasks(.with { $0.owner = "care_team"; $0.view = .due })
      #expect(due.tasks.count == 3)
      let allCalls = due.tasks.allSatisfy { $0.type == "care_call" && !$0.overdue }
      #expect(allCalls)
      #expect(try await h.client.listTasks(.with { $0.owner = "care_team"; $0.view = .overdue }).tasks.isEmpty)

      h.clock.advance(by: 86_400 + 60)
      let overdue = try await h.client.listTasks(.with { $0.owner = "care_team"; $0.view = .overdue }).tasks
      #expect(overdue.count == 3)
      let allFlagged = overdue.allSatisfy { $0.overdue }
      #expect(allFlagged)

      var seen: [String] = []
      var token = ""
      repeat {
        due = try await h.client.listTasks(.with { $0.owner = "care_team"; $0.page = .with { $0.pageSize = 4; $0.pageToken = token } })
        seen += due.tasks.map(\.taskID)
        token = due.page.nextPageToken
      } while !token.isEmpty
      #expect(seen.count == 6)
      #expect(Set(seen).count == 6)
    }
  }

  @Test("complete, reschedule, cancel; completing a cancelled task is FAILED_PRECONDITION")
  func lifecycle() async throws {
    try await InteractionHarness.run { h in
      let tasks = try await h.client.recordMoment(.with { $0.customerID = "c1"; $0.kind = "churn_warning"; $0.occurrenceID = "w" }).tasks
      let done = try await h.client.completeTask(.with {
        $0.taskID = tasks[0].taskID
        $0.outcome = .with { $0.type = "care_call"; $0.channel = .phone; $0.mood = .neutral; $0.score = 3 }
      })
      #expect(done.task.status == .done)
      #expect(done.interaction.taskID == tasks[0].taskID)
      #expect(done.interaction.customerID == "c1")
      #expect(done.interaction.plannedTime == tasks[0].dueTime)

      let later = h.clock.now().addingTimeInterval(10 * 86_400)
      let moved = try await h.client.rescheduleTask(.with { $0.taskID = tasks[1].taskID; $0.dueTime = .init(date: later); $0.reason = "customer travelling" })
      #expect(moved.task.dueTime.date == later)
      #expect(moved.task.deferralReason.contains("customer travelling"))

      let cancel = Crm_Interaction_V1_CancelTaskRequest.with {
        $0.taskID = tasks[1].taskID; $0.reason = "reached by phone"; $0.idempotencyKey.key = "cancel-1"
      }
      let cancelled = try await h.client.cancelTask(cancel)
      #expect(cancelled.task.status == .cancelled)
      // A retry with the same key replays the first answer instead of FAILED_PRECONDITION.
      #expect(try await h.client.cancelTask(cancel).task == cancelled.task)
      let complete = await rpcFailure { _ = try await h.client.completeTask(.with { $0.taskID = tasks[1].taskID }) }
      #expect(complete?.code == .failedPrecondition)
      let twice = await rpcFailure { _ = try await h.client.completeTask(.with { $0.taskID = tasks[0].taskID }) }
      #expect(twice?.code == .failedPrecondition)
      let missing = await rpcFailure { _ = try await h.client.cancelTask(.with { $0.taskID = "nope" }) }
      #expect(missing?.code == .notFound)
      #expect(try await h.tasks(of: "c1").isEmpty)
    }
  }

  @Test("a bad outcome writes nothing; a list needs exactly one of owner and customer")
  func badInput() async throws {
    try await InteractionHarness.run { h in
      let tasks = try await h.client.recordMoment(.with { $0.customerID = "c1"; $0.kind = "churn_warning"; $0.occurrenceID = "w" }).tasks
      let bad = await rpcFailure {
        _ = try await h.client.completeTask(.with { $0.taskID = tasks[0].taskID; $0.outcome = .with { $0.type = "call"; $0.channel = .phone; $0.score = 9 } })
      }
      #expect(bad?.message.hasPrefix("outcome.score:") == true)
      #expect(try await h.tasks(of: "c1").count == 2)
      let neither = await rpcFailure { _ = try await h.client.listTasks(.init()) }
      #expect(neither?.code == .invalidArgument)
    }
  }
}
