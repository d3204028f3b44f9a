import Contracts
import Foundation
import GRPCCore
import Testing

@Suite("Feedback: business-hours calendars and holidays")
struct BusinessCalendarTests {
  typealias H = FeedbackHarness

  /// 2026-01-0xTHH:MM in UTC (the ManualClock starts at 2026-01-01T00:00Z, a Thursday).
  static func utc(day: Int, _ hour: Int, _ minute: Int = 0) -> Date {
    Date(timeIntervalSince1970: 1_767_225_600 + Double(day - 1) * 86400 + Double(hour) * 3600
      + Double(minute) * 60)
  }

  /// Weekdays 09:00-18:00 in Shanghai (UTC+8), New Year's Day off; first response in 1 business
  /// hour, an update every 8, a result in 16; for email.
  static func officeHoursPolicy() -> Crm_Feedback_V1_SlaPolicy {
    .with {
      $0.policyID = "office-hours"; $0.rank = 1; $0.channel = .email
      $0.firstResponse = .init(seconds: 3600); $0.nextUpdate = .init(seconds: 8 * 3600)
      $0.resolution = .init(seconds: 16 * 3600)
      $0.calendar = .with {
        $0.timeZone = "Asia/Shanghai"
        $0.hours = (1...5).map { day in
          .with { $0.dayOfWeek = Int32(day); $0.startMinute = 540; $0.endMinute = 1080 }
        }
        $0.holidays = ["2026-01-01"]
      }
    }
  }

  @Test("clocks count only business time, skipping holidays, nights and weekends, and pauses")
  func countsBusinessTime() async throws {
    try await H.run { harness in
      let stored = try await harness.client.createSlaPolicy(.with { $0.policy = Self.officeHoursPolicy() })
      #expect(stored.policy.calendar == Self.officeHoursPolicy().calendar)
      // Given: an email on New Year's Day, 08:00 in Shanghai
      let ticket = try await harness.createTicket(channel: .email)
      #expect(ticket.slaPolicyID == "office-hours")
      // Then: first response by Friday 10:00 local (02:00Z); result by Monday 16:00 (08:00Z)
      #expect(ticket.clock(.firstResponse)?.dueTime.date == Self.utc(day: 2, 2))
      #expect(ticket.clock(.resolution)?.dueTime.date == Self.utc(day: 5, 8))
      // And a scan overnight, 23 wall-clock hours later, breaches nothing
      harness.clock.advance(by: 23 * H.hour)
      #expect(try await harness.client.runSlaScan(.init()).breachedCount == 0)
      // When: acknowledged Friday 09:30 local, in progress, waiting on the customer at 10:30
      harness.clock.advance(by: 150 * H.minute)  // 2026-01-02T01:30Z
      var current = try await harness.move(ticket, to: .acknowledged)
      #expect(current.clock(.firstResponse)?.state == .met)
      #expect(current.clock(.nextUpdate)?.dueTime.date == Self.utc(day: 2, 9, 30))
      current = try await harness.move(current, to: .inProgress)
      harness.clock.advance(by: H.hour)  // 10:30 local: 1.5 business hours of 16 used
      current = try await harness.move(current, to: .waitingOnCustomer)
      // And the customer answers on Saturday noon
      harness.clock.set(Self.utc(day: 3, 4))
      current = try await harness.move(current, to: .inProgress)
      // Then: the 14.5 hours left count from Monday 09:00: Tuesday 14:30 local (06:30Z)
      #expect(current.clock(.resolution)?.state == .running)
      #expect(current.clock(.resolution)?.dueTime.date == Self.utc(day: 6, 6, 30))
    }
  }

  @Test("a malformed calendar names its field")
  func validatesCalendar() async throws {
    try await H.run { harness in
      func create(_ change: (inout Crm_Feedback_V1_BusinessCalendar) -> Void) async throws {
        var policy = Self.officeHoursPolicy()
        change(&policy.calendar)
        _ = try await harness.client.createSlaPolicy(.with { $0.policy = policy })
      }
      await expectFailure(.invalidArgument, field: "policy.calendar.time_zone") {
        try await create { $0.timeZone = "Mars/Olympus" }
      }
      await expectFailure(.invalidArgument, field: "policy.calendar.hours") {
        try await create { $0.hours = [] }
      }
      await expectFailure(.invalidArgument, field: "policy.calendar.hours[1]") {
        try await create { $0.hours[1].endMinute = 500 }
      }
      await expectFailure(.invalidArgument, field: "policy.calendar.hours[5]") {
        try await create {
          $0.hours.append(.with { $0.dayOfWeek = 1; $0.startMinute = 600; $0.endMinute = 700 })
        }
      }
      await expectFailure(.invalidArgument, field: "policy.calendar.holidays[0]") {
        try await create { $0.holidays = ["2026-13-01"] }
      }
      let policies = try await harness.client.listSlaPolicies(.init()).policies
      #expect(!policies.contains { $0.policyID == "office-hours" })
    }
  }
}
