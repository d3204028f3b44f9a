import ArgumentParser
import Contracts
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import ServiceKit
import SwiftProtobuf

/// `crm seed`: a realistic synthetic data set, made through the public RPCs only.
struct Seed: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Fill the suite with synthetic customers through its RPCs (same seed, same data).",
    discussion: """
      Per customer: a profile (individual or enterprise) with an app identity, purchases spread
      over the last two years (loyalty earns their points from segmentation's events), logged
      interactions, now and then a ticket and a review of something bought. Every write carries
      an idempotency key or order id derived from --seed, and every time is counted back from
      --as-of (default: the start of today, UTC), so running it again with the same seed and
      day changes nothing.
      """)

  @Option(help: "How many customers to create.")
  var customers = 1_000

  @Option(help: "The random seed; the same seed gives the same data.")
  var seed: UInt64 = 42

  @Option(name: .customLong("as-of"), help: "The day the data set ends, YYYY-MM-DD (default: today, UTC).")
  var asOf: String?

  @Option(help: "Customers seeded at the same time.")
  var concurrency = 16

  @OptionGroup var addresses: SuiteAddressOptions

  func validate() throws {
    guard customers >= 1 else { throw ValidationError("--customers must be at least 1") }
    guard (1...512).contains(concurrency) else { throw ValidationError("--concurrency must be 1 to 512") }
  }

  func run() async throws {
    let clients = try SuiteClients(addresses: addresses)
    let progress = SeedProgress(total: customers)
    // Times count back from a whole day, not from this moment, so a second run writes the same
    // bodies and every write replays instead of conflicting.
    let anchor: Date
    if let asOf {
      anchor = try ReportDates.parse(asOf, flag: "--as-of")
    } else {
      var calendar = Calendar(identifier: .gregorian)
      calendar.timeZone = TimeZone(identifier: "UTC")!
      anchor = calendar.startOfDay(for: Date())
    }
    let seeder = CustomerSeeder(seed: seed, now: anchor)
    let outcome: Result<Void, any Error> = await clients.run {
      do {
        try await seeder.prepare(clients)
        try await withThrowingTaskGroup(of: SeedCounts.self) { group in
          var next = 0
          func add() {
            let index = next
            next += 1
            group.addTask { try await seeder.seedCustomer(index, clients: clients) }
          }
          while next < min(concurrency, customers) { add() }
          while let counts = try await group.next() {
            progress.add(counts)
            if next < customers { add() }
          }
        }
        return .success(())
      } catch {
        return .failure(error)
      }
    }
    progress.finish()
    switch outcome {
    case .success:
      print(progress.summary())
    case .failure(let error as RPCError):
      FileHandle.standardError.write(Data("\(StatusNames.name(error.code)): \(error.message)\n".utf8))
      throw ExitCode(Int32(error.code.rawValue))
    case .failure(let error):
      throw error
    }
  }
}

/// One HTTP/2 client per service, connected for the length of a command.
struct SuiteClients: Sendable {
  let segmentation: Crm_Segmentation_V1_SegmentationService.Client<HTTP2ClientTransport.Posix>
  let interaction: Crm_Interaction_V1_InteractionService.Client<HTTP2ClientTransport.Posix>
  let feedback: Crm_Feedback_V1_FeedbackService.Client<HTTP2ClientTransport.Posix>
  let trust: Crm_Trust_V1_TrustService.Client<HTTP2ClientTransport.Posix>
  let loyalty: Crm_Loyalty_V1_LoyaltyService.Client<HTTP2ClientTransport.Posix>
  private let raw: [GRPCClient<HTTP2ClientTransport.Posix>]

  init(addresses: SuiteAddressOptions) throws {
    let security = try addresses.security.resolve()
    func client(_ service: SuiteService) throws -> GRPCClient<HTTP2ClientTransport.Posix> {
      try security.client(to: try addresses.address(of: service))
    }
    let raw = try SuiteService.allCases.map(client)
    self.raw = raw
    segmentation = .init(wrapping: raw[0])
    interaction = .init(wrapping: raw[1])
    feedback = .init(wrapping: raw[2])
    trust = .init(wrapping: raw[3])
    loyalty = .init(wrapping: raw[4])
  }

  /// Runs `body` while the connections run; closes them afterwards.
  func run<Result: Sendable>(_ body: @Sendable () async -> Result) async -> Result {
    await withTaskGroup(of: Void.self) { group in
      for client in raw { group.addTask { try? await client.runConnections() } }
      let result = await body()
      for client in raw { client.beginGracefulShutdown() }
      await group.waitForAll()
      return result
    }
  }
}
