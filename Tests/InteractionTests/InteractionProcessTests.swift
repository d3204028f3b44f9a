import Contracts
import Foundation
import GRDB
import GRPCCore
import Interaction
import Logging
import ServiceKit
import ServiceKitTesting
import SwiftProtobuf
import Testing

@Suite("Interaction: the executable and its background work")
struct InteractionProcessTests {
  @Test("interaction-service serves moments, its event sink and its outbox, with segmentation down")
  func executable() async throws {
    let data = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: data) }
    // Segmentation is named at a port where nothing listens: reads fall back, never hang.
    let nowhere = try freeTCPPort()
    let service = try await ServiceProcess(
      "interaction-service", dataDirectory: data,
      arguments: ["--segmentation-addr", "127.0.0.1:\(nowhere)", "--peer-timeout-ms", "300"])
    try await service.withClient { client in
      let interaction = Crm_Interaction_V1_InteractionService.Client(wrapping: client)
      let started = ContinuousClock.now
      let moment = try await interaction.recordMoment(.with { $0.customerID = "c1"; $0.kind = "registration"; $0.occurrenceID = "r" })
      #expect(moment.moment.tierSource == .default)
      #expect(moment.tasks.count == 3)
      #expect(ContinuousClock.now - started < .seconds(5))

      let sink = Crm_Events_V1_EventSink.Client(wrapping: client)
      let ack = try await sink.deliverEvents(.with {
        $0.events = [.with {
          $0.eventID = "e1"; $0.source = "feedback"; $0.customerID = "c2"
          $0.payload = .complaintResolved(.with { $0.ticketID = "T-1" })
        }]
      })
      #expect(ack.acknowledgedEventIds == ["e1"])
      let tasks = try await interaction.listTasks(.with { $0.customerID = "c2" }).tasks
      #expect(tasks.count == 6)

      _ = try await interaction.logInteraction(.with {
        $0.interaction = .with { $0.customerID = "c1"; $0.type = "care_call"; $0.channel = .phone }
      })
      let outbox = try await Crm_Events_V1_Outbox.Client(wrapping: client).getOutboxStatus(.init())
      #expect(outbox.destinations.first?.destination == "segmentation")
      #expect(outbox.destinations.first?.pending == 1)
    }
    #expect(await service.terminate() == 0)
  }

  @Test("the background date scan creates the birthday moment on its own")
  func backgroundScan() async throws {
    let database = try StoreOpener.inMemory(migrator: InteractionStore.migrator)
    let clock = ManualClock(start: Date(iso: "2026-03-15T04:00:00Z"))
    let service = InteractionService(store: InteractionStore(database: database), clock: clock, logger: Logger(label: "test"))
    let scanner = DateScanService(database: database, clock: clock, interval: .milliseconds(20), logger: Logger(label: "test"))
    try await withInProcessServer([service]) { client in
      let interaction = Crm_Interaction_V1_InteractionService.Client(wrapping: client)
      _ = try await interaction.setCustomerDates(.with {
        $0.customerID = "c1"; $0.timeZone = "Asia/Shanghai"; $0.birthday = .with { $0.month = 3; $0.day = 15 }
      })
      let scan = Task { try await scanner.run() }
      defer { scan.cancel() }
      var tasks: [Crm_Interaction_V1_CareTask] = []
      let deadline = ContinuousClock.now + .seconds(10)
      while tasks.isEmpty && ContinuousClock.now < deadline {
        try await Task.sleep(for: .milliseconds(20))
        tasks = try await interaction.listTasks(.with { $0.customerID = "c1" }).tasks
      }
      #expect(tasks.map(\.momentKind) == ["birthday"])
    }
  }
}
