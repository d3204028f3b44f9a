import ArgumentParser
import Contracts
import Foundation
import GRDB
import GRPCCore
import Logging
import Metrics
import ServiceKit

/// `crm echo-server`: the load tests' baseline, hosted exactly as a service is (ServiceHost:
/// same HTTP/2 transport settings, interceptors, health and reflection), serving only `Echo`.
struct EchoServer: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "echo-server",
    abstract: "Serve crm.bench.v1.EchoService on the services' stack (the load tests' baseline).")

  @Option(help: "Host or IP to listen on.")
  var host = "127.0.0.1"

  @Option(help: "TCP port; 0 picks a free one.")
  var port = 0

  @Option(name: .customLong("log-level"), help: "Log level, as the services take it (info logs a line per RPC).")
  var logLevel = "info"

  /// Echo keeps nothing; one empty migration gives the runtime's store probe the table it reads.
  static var migrator: DatabaseMigrator {
    var migrator = DatabaseMigrator()
    migrator.registerMigration("echo-v1") { _ in }
    return migrator
  }

  func run() async throws {
    guard let level = Logger.Level(rawValue: logLevel) else { throw ValidationError("--log-level: unknown level '\(logLevel)'") }
    LoggingSetup.bootstrap(level: level)
    var settings = ServiceSettings.defaults(for: .segmentation)
    settings.host = host
    settings.port = port
    settings.logLevel = level
    let logger = Logger(label: "echo-server")
    let environment = ServiceEnvironment(
      settings: settings, logger: logger, clock: SystemClock(),
      database: try StoreOpener.inMemory(migrator: Self.migrator),
      health: HealthStatusBoard(services: [Crm_Bench_V1_EchoService.descriptor.fullyQualifiedService]))
    let host = ServiceHost(environment: environment, components: ServiceComponents(rpcServices: [EchoService()]))
    try await host.run { address in
      FileHandle.standardOutput.write(Data("echo-server listening on \(address)\n".utf8))
    }
  }
}

/// `crm.bench.v1.EchoService`.
struct EchoService: Crm_Bench_V1_EchoService.SimpleServiceProtocol {
  func echo(request: Crm_Bench_V1_EchoRequest, context: ServerContext) async throws -> Crm_Bench_V1_EchoResponse {
    .with { $0.payload = request.payload }
  }
}
