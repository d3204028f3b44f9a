import Contracts
import Foundation
import GRPCCore
import Testing

@Suite("Feedback: escalation rules and the breach list per team")
struct EscalationTests {
  typealias H = FeedbackHarness

  @Test("an approaching first response raises the priority and notifies the account manager; a miss reassigns, once each")
  func escalates() async throws {
    try await H.run { harness in
      // Given: at 80% of a first response, raise the priority and tell the account manager;
      // when it is missed, hand the ticket to the duty lead of the escalations team
      _ = try await harness.client.createEscalationRule(
        .with {
          $0.rule = .with {
            $0.ruleID = "warn-80"; $0.clock = .firstResponse; $0.trigger = .approaching
            $0.elapsedPercent = 80; $0.raisePriority = true; $0.notifyAccountManager = true
          }
        })
      _ = try await harness.client.createEscalationRule(
        .with {
          $0.rule = .with {
            $0.ruleID = "missed"; $0.clock = .firstResponse; $0.trigger = .breached
            $0.reassignOwnerID = "duty-lead"; $0.reassignTeamID = "escalations"
          }
        })
      #expect(try await harness.client.listEscalationRules(.init()).rules.map(\.ruleID) == ["missed", "warn-80"])
      // A normal ticket (30 minutes) owned by am-1
      let created = try await harness.createTicket(priority: .normal)
      _ = try await harness.client.assignTicket(
        .with {
          $0.ticketID = created.ticketID; $0.ownerID = "am-1"; $0.actorID = "lead"
          $0.teamID = "care"
        })
      // When: 23 minutes (under 80%), then 24 (80%), then again
      harness.clock.advance(by: 23 * H.minute)
      #expect(try await harness.client.runSlaScan(.init()).escalationCount == 0)
      harness.clock.advance(by: H.minute)
      #expect(try await harness.client.runSlaScan(.init()).escalationCount == 1)
      #expect(try await harness.client.runSlaScan(.init()).escalationCount == 0)
      // Then: urgent now, with the notice to am-1 in the history
      var ticket = try await harness.client.getTicket(.with { $0.ticketID = created.ticketID }).ticket
      #expect(ticket.priority == .urgent)
      var history = try await harness.history(ticket)
      let raised = history.first { $0.type == .priorityRaised }
      #expect(raised?.priority == .urgent)
      #expect(raised?.actorID == "system")
      #expect(raised?.note.contains("warn-80") == true)
      let notice = history.first { $0.type == .accountManagerNotified }
      #expect(notice?.ownerID == "am-1")
      #expect(notice?.clock == .firstResponse)
      // When: the first response is missed
      harness.clock.advance(by: 7 * H.minute)
      let scan = try await harness.client.runSlaScan(.init())
      #expect(scan.breachedCount == 1)
      #expect(scan.escalationCount == 1)
      #expect(try await harness.client.runSlaScan(.init()).escalationCount == 0)
      // Then: reassigned to the duty lead's team, on the team's breach list
      ticket = try await harness.client.getTicket(.with { $0.ticketID = created.ticketID }).ticket
      #expect(ticket.ownerID == "duty-lead")
      #expect(ticket.teamID == "escalations")
      history = try await harness.history(ticket)
      #expect(history.last?.type == .assigned)
      #expect(history.last?.note.contains("missed") == true)
      let teamBreaches = try await harness.client.listBreaches(.with { $0.teamID = "escalations" })
      #expect(teamBreaches.breaches.map(\.ticketID) == [ticket.ticketID])
      #expect(try await harness.client.listBreaches(.with { $0.ownerID = "duty-lead" }).breaches.count == 1)
      #expect(try await harness.client.listBreaches(.with { $0.teamID = "care" }).breaches.isEmpty)
    }
  }

  @Test("a clock paused while waiting on the customer does not escalate; rules are validated")
  func pausedAndValidation() async throws {
    try await H.run { harness in
      _ = try await harness.client.createEscalationRule(
        .with {
          $0.rule = .with {
            $0.ruleID = "result-90"; $0.clock = .resolution; $0.trigger = .approaching
            $0.elapsedPercent = 90; $0.notifyAccountManager = true
          }
        })
      // Given: a ticket waiting on the customer from its first hour (7-day resolution)
      let waiting = try await harness.ticket(at: .inProgress)
      _ = try await harness.move(waiting, to: .waitingOnCustomer)
      // When: 7 days pass while paused
      harness.clock.advance(by: 7 * H.day)
      // Then: nothing escalates
      #expect(try await harness.client.runSlaScan(.init()).escalationCount == 0)
      // And once it resumes, 90% of the 7 days is 6.3 days of counted time ahead
      _ = try await harness.move(waiting, to: .inProgress)
      #expect(try await harness.client.runSlaScan(.init()).escalationCount == 0)
      harness.clock.advance(by: 6.2 * H.day)
      #expect(try await harness.client.runSlaScan(.init()).escalationCount == 0)
      harness.clock.advance(by: 0.1 * H.day)
      #expect(try await harness.client.runSlaScan(.init()).escalationCount == 1)

      await expectFailure(.invalidArgument, field: "rule.trigger") {
        _ = try await harness.client.createEscalationRule(
          .with { $0.rule = .with { $0.ruleID = "x"; $0.raisePriority = true } })
      }
      await expectFailure(.invalidArgument, field: "rule.elapsed_percent") {
        _ = try await harness.client.createEscalationRule(
          .with {
            $0.rule = .with {
              $0.ruleID = "x"; $0.trigger = .approaching; $0.elapsedPercent = 100
              $0.raisePriority = true
            }
          })
      }
      await expectFailure(.invalidArgument, field: "rule") {
        _ = try await harness.client.createEscalationRule(
          .with { $0.rule = .with { $0.ruleID = "x"; $0.trigger = .breached } })
      }
      await expectFailure(.alreadyExists) {
        _ = try await harness.client.createEscalationRule(
          .with {
            $0.rule = .with { $0.ruleID = "result-90"; $0.trigger = .breached; $0.raisePriority = true }
          })
      }
      await expectFailure(.invalidArgument, field: "team_id") {
        _ = try await harness.client.listBreaches(.with { $0.ownerID = "a"; $0.teamID = "b" })
      }
    }
  }
}
