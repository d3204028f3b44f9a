import Contracts
import GRPCCore
import GRPCInProcessTransport
import Interaction
import Logging
import ServiceKit
import ServiceKitTesting
import SwiftProtobuf
import Testing

@Suite("Interaction: the interaction log through the gRPC client")
struct InteractionLogTests {
  typealias Client = Crm_Interaction_V1_InteractionService.Client<InProcessTransport.Client>

  func withService(_ body: (Client, ManualClock) async throws -> Void) async throws {
    let database = try StoreOpener.inMemory(migrator: InteractionStore.migrator)
    let clock = ManualClock()
    let service = InteractionService(store: InteractionStore(database: database), clock: clock, logger: Logger(label: "test"))
    try await withInProcessServer([service]) { client in try await body(Client(wrapping: client), clock) }
  }

  static let call = Crm_Interaction_V1_Interaction.with {
    $0.customerID = "c1"
    $0.type = "care_call"
    $0.channel = .phone
    $0.content = "first-use call"
    $0.owner = "agent-7"
    $0.mood = .satisfied
    $0.score = 5
  }

  @Test("log then get; actual time defaults to the service clock")
  func logAndGet() async throws {
    try await withService { client, clock in
      let logged = try await client.logInteraction(.with { $0.interaction = Self.call }).interaction
      #expect(!logged.interactionID.isEmpty)
      #expect(logged.actualTime.date == clock.now())
      #expect(logged.mood == .satisfied)
      let fetched = try await client.getInteraction(.with { $0.interactionID = logged.interactionID }).interaction
      #expect(fetched == logged)
    }
  }

  @Test("the same idempotency key logs once")
  func idempotent() async throws {
    try await withService { client, _ in
      let request = Crm_Interaction_V1_LogInteractionRequest.with {
        $0.interaction = Self.call
        $0.idempotencyKey.key = "touch-1"
      }
      let first = try await client.logInteraction(request).interaction
      let again = try await client.logInteraction(request).interaction
      #expect(first.interactionID == again.interactionID)
    }
  }

  static func broken(_ field: String) -> Crm_Interaction_V1_Interaction {
    var interaction = call
    switch field {
    case "interaction.customer_id": interaction.customerID = ""
    case "interaction.type": interaction.type = ""
    case "interaction.channel": interaction.channel = .unspecified
    case "interaction.score": interaction.score = 6
    case "interaction.mood": interaction.mood = .UNRECOGNIZED(9)
    default: Issue.record("no way to break \(field)")
    }
    return interaction
  }

  @Test(
    "bad input names the field",
    arguments: ["interaction.customer_id", "interaction.type", "interaction.channel", "interaction.score", "interaction.mood"])
  func badInput(field: String) async throws {
    try await withService { client, _ in
      let interaction = Self.broken(field)
      let error = await #expect(throws: RPCError.self) {
        try await client.logInteraction(.with { $0.interaction = interaction })
      }
      #expect(error?.code == .invalidArgument)
      #expect(error?.message.hasPrefix("\(field):") == true)
    }
  }

  @Test("an unknown id is NOT_FOUND")
  func notFound() async throws {
    try await withService { client, _ in
      let error = await #expect(throws: RPCError.self) { try await client.getInteraction(.with { $0.interactionID = "x" }) }
      #expect(error?.code == .notFound)
    }
  }
}
