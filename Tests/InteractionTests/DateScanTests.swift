import Contracts
import Foundation
import GRPCCore
import Interaction
import ServiceKit
import SwiftProtobuf
import Testing

@Suite("Interaction: birthdays and anniversaries from the daily scan")
struct DateScanTests {
  @Test("the birthday moment comes on the local day, once per year")
  func birthdayInLocalTime() async throws {
    // 16:30 UTC on 14 March is already 15 March in Shanghai, still 14 March in New York.
    try await InteractionHarness.run(clock: ManualClock(start: Date(iso: "2026-03-14T16:30:00Z"))) { h in
      _ = try await h.client.setCustomerDates(.with {
        $0.customerID = "sh"; $0.timeZone = "Asia/Shanghai"; $0.birthday = .with { $0.month = 3; $0.day = 15; $0.year = 1990 }
      })
      _ = try await h.client.setCustomerDates(.with {
        $0.customerID = "ny"; $0.timeZone = "America/New_York"; $0.anniversary = .with { $0.month = 3; $0.day = 15 }
      })
      #expect(try await h.client.runDateScan(.init()).momentsCreated == 1)
      #expect(try await h.tasks(of: "sh").map(\.templateID) == ["birthday_greeting"])
      #expect(try await h.tasks(of: "ny").isEmpty)
      #expect(try await h.client.runDateScan(.init()).momentsCreated == 0)

      h.clock.advance(by: 86_400)  // 12:30 on 15 March in New York
      #expect(try await h.client.runDateScan(.init()).momentsCreated == 1)
      #expect(try await h.tasks(of: "ny").map(\.templateID) == ["anniversary_greeting"])

      h.clock.set(Date(iso: "2027-03-15T06:00:00Z"))  // 15 March in both zones, a year on
      #expect(try await h.client.runDateScan(.init()).momentsCreated == 2)
    }
  }

  @Test("a 29 February birthday is greeted on 28 February in other years; bad dates are named")
  func leapDayAndErrors() async throws {
    try await InteractionHarness.run(clock: ManualClock(start: Date(iso: "2026-02-28T12:00:00Z"))) { h in
      _ = try await h.client.setCustomerDates(.with { $0.customerID = "c1"; $0.birthday = .with { $0.month = 2; $0.day = 29 } })
      #expect(try await h.client.runDateScan(.init()).momentsCreated == 1)
      let bad = await rpcFailure {
        _ = try await h.client.setCustomerDates(.with { $0.customerID = "c1"; $0.birthday = .with { $0.month = 4; $0.day = 31 } })
      }
      #expect(bad?.message.hasPrefix("birthday.day:") == true)
      let zone = await rpcFailure { _ = try await h.client.setCustomerDates(.with { $0.customerID = "c1"; $0.timeZone = "Mars/Base" }) }
      #expect(zone?.message.hasPrefix("time_zone:") == true)
    }
  }
}
