import Contracts
import Foundation
import GRPCCore
import Testing

@Suite("Feedback: SLA policies and the three clocks")
struct SLAClockTests {
  typealias H = FeedbackHarness

  @Test("the default policies carry the documents' figures, in rank order")
  func defaultPolicies() async throws {
    try await H.run { harness in
      // When
      let first = try await harness.client.listSlaPolicies(.with { $0.page.pageSize = 5 })
      let rest = try await harness.client.listSlaPolicies(
        .with { $0.page.pageToken = first.page.nextPageToken })
      let policies = first.policies + rest.policies
      // Then
      #expect(policies.map(\.rank) == policies.map(\.rank).sorted())
      let byID = Dictionary(uniqueKeysWithValues: policies.map { ($0.policyID, $0) })
      #expect(byID["tier-urgent"]?.firstResponse.seconds == 600)
      #expect(byID["tier-normal"]?.firstResponse.seconds == 1800)
      #expect(byID["tier-enquiry"]?.firstResponse.seconds == 3600)
      #expect(byID["tier-normal"]?.nextUpdate.seconds == 172_800)  // 48 hours
      #expect(byID["tier-normal"]?.resolution.seconds == 604_800)  // 7 days
      #expect(byID["loop-survey"]?.firstResponse.seconds == 86_400)  // 24 hours
      #expect(byID["complaint-enquiry"]?.firstResponse.seconds == 3600)
      #expect(byID["complaint-normal"]?.resolution.seconds == 86_400)  // 24 hours
    }
  }

  static let selections:
    [(
      Crm_Feedback_V1_TicketKind, Crm_Feedback_V1_Priority, Crm_Feedback_V1_IntakeChannel, String,
      Double, Double
    )] = [
      (.feedback, .urgent, .inApp, "tier-urgent", 600, 7 * 86400),
      (.feedback, .normal, .survey, "loop-survey", 86400, 7 * 86400),
      (.complaint, .urgent, .phone, "complaint-urgent", 600, 86400),
      (.complaint, .enquiry, .agent, "complaint-enquiry", 3600, 86400),
      (.enquiry, .enquiry, .email, "tier-enquiry", 3600, 7 * 86400),
    ]

  @Test(
    "a new ticket takes the first matching policy and starts two clocks", arguments: Self.selections
  )
  func selection(
    kind: Crm_Feedback_V1_TicketKind, priority: Crm_Feedback_V1_Priority,
    channel: Crm_Feedback_V1_IntakeChannel,
    policy: String, firstResponse: Double, resolution: Double
  ) async throws {
    try await H.run { harness in
      let ticket = try await harness.createTicket(kind: kind, priority: priority, channel: channel)
      let now = harness.clock.now()
      #expect(ticket.slaPolicyID == policy)
      #expect(ticket.clock(.firstResponse)?.dueTime.date == now + firstResponse)
      #expect(ticket.clock(.resolution)?.dueTime.date == now + resolution)
      #expect(ticket.clock(.nextUpdate) == nil)
      #expect(ticket.clocks.allSatisfy { $0.state == .running })
    }
  }

  @Test("acknowledging in time meets the first response and starts the next-update clock")
  func firstResponseMet() async throws {
    try await H.run { harness in
      // Given
      let ticket = try await harness.createTicket()
      harness.clock.advance(by: 30 * H.minute)  // due exactly now: still in time
      // When
      let acknowledged = try await harness.move(ticket, to: .acknowledged)
      // Then
      #expect(acknowledged.clock(.firstResponse)?.state == .met)
      #expect(acknowledged.clock(.firstResponse)?.endTime.date == harness.clock.now())
      #expect(acknowledged.clock(.nextUpdate)?.dueTime.date == harness.clock.now() + 48 * H.hour)
      let met = try await harness.history(ticket).first { $0.type == .clockMet }
      #expect(met?.clock == .firstResponse)
      #expect(met?.actorID == "agent-1")
    }
  }

  @Test("acknowledging late, before any scan, ends the first response as breached")
  func firstResponseLate() async throws {
    try await H.run { harness in
      let ticket = try await harness.createTicket(priority: .urgent)
      harness.clock.advance(by: 11 * H.minute)
      let acknowledged = try await harness.move(ticket, to: .acknowledged)
      #expect(acknowledged.clock(.firstResponse)?.state == .breached)
      #expect(
        try await harness.history(ticket).contains {
          $0.type == .clockBreached && $0.clock == .firstResponse
        })
    }
  }

  @Test("a progress report meets the next-update clock and starts the next one")
  func progressUpdate() async throws {
    try await H.run { harness in
      // Given
      let ticket = try await harness.ticket(at: .inProgress)
      harness.clock.advance(by: 47 * H.hour)
      // When
      let updated = try await harness.client.postProgressUpdate(
        .with {
          $0.ticketID = ticket.ticketID; $0.actorID = "agent-1";
          $0.note = "courier found the parcel"
        }
      ).ticket
      // Then
      #expect(updated.clock(.nextUpdate)?.state == .running)
      #expect(updated.clock(.nextUpdate)?.dueTime.date == harness.clock.now() + 48 * H.hour)
      let events = try await harness.history(ticket).suffix(2).map(\.type)
      #expect(events == [.progressUpdate, .clockMet])
      await expectFailure(.invalidArgument, field: "note") {
        _ = try await harness.client.postProgressUpdate(
          .with {
            $0.ticketID = ticket.ticketID; $0.actorID = "agent-1"
          })
      }
      let received = try await harness.createTicket()
      await expectFailure(.failedPrecondition) {
        _ = try await harness.client.postProgressUpdate(
          .with {
            $0.ticketID = received.ticketID; $0.actorID = "a"; $0.note = "n"
          })
      }
    }
  }

  @Test(
    "time waiting on the customer does not count: clocks pause, resume later due, and no scan breaches them"
  )
  func pausedWhileWaiting() async throws {
    try await H.run { harness in
      // Given: in progress, resolution due in 7 days
      let ticket = try await harness.ticket(at: .inProgress)
      let resolutionDue = try #require(ticket.clock(.resolution)).dueTime.date
      harness.clock.advance(by: H.day)
      // When: 10 days waiting on the customer, with a scan in the middle
      let waiting = try await harness.move(ticket, to: .waitingOnCustomer)
      #expect(
        waiting.clocks.filter { $0.state == .paused }.map(\.kind) == [.nextUpdate, .resolution])
      harness.clock.advance(by: 10 * H.day)
      #expect(try await harness.client.runSlaScan(.init()).breachedCount == 0)
      let resumed = try await harness.move(waiting, to: .inProgress)
      // Then
      #expect(resumed.clock(.resolution)?.state == .running)
      #expect(resumed.clock(.resolution)?.dueTime.date == resolutionDue + 10 * H.day)
      let types = try await harness.history(ticket).map(\.type)
      #expect(types.filter { $0 == .clockPaused }.count == 2)
      #expect(types.filter { $0 == .clockResumed }.count == 2)
      // And resolving within the extended due time meets it
      harness.clock.advance(by: 5 * H.day)
      let resolved = try await harness.move(resumed, to: .resolved)
      #expect(resolved.clock(.resolution)?.state == .met)
    }
  }
}
