import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import ServiceKit
import Synchronization

/// The five real executables on loopback, wired to each other, for tests of the flows between
/// them: each gets a fixed free port (so a restarted service comes back where its peers look)
/// and its own data directory under one temporary root.
public final class SuiteProcesses: Sendable {
  /// The directory holding every store; removed by ``stopAll()``.
  public let root: URL
  /// Where each service listens.
  public let ports: [SuiteService: Int]
  /// TLS and identities, when the suite runs with its door shut.
  public let security: TestSecurity?
  /// The operator's token (every permission) that ``withClient(_:_:)`` sends when secured.
  private let operatorToken: String?
  private let extraArguments: [String]
  private let running: Mutex<[SuiteService: ServiceProcess]>

  private init(
    root: URL, ports: [SuiteService: Int], extraArguments: [String], security: TestSecurity?, operatorToken: String?
  ) {
    self.root = root
    self.ports = ports
    self.extraArguments = extraArguments
    self.security = security
    self.operatorToken = operatorToken
    self.running = Mutex([:])
  }

  /// Starts every service (in the order of ``SuiteService/allCases``) with `extraArguments`
  /// (e.g. a short `--scan-interval-seconds`); with `security`, over TLS with caller identity
  /// between all five and for the test's clients.
  public static func start(extraArguments: [String] = [], security: TestSecurity.Mode? = nil) async throws
    -> SuiteProcesses
  {
    let root = try makeTemporaryDirectory()
    var ports: [SuiteService: Int] = [:]
    for service in SuiteService.allCases { ports[service] = try freeTCPPort() }
    let testSecurity = try security.map { try TestSecurity(mode: $0, directory: root) }
    let token = try await testSecurity?.token(["*"], subject: "operator")
    let suite = SuiteProcesses(
      root: root, ports: ports, extraArguments: extraArguments, security: testSecurity, operatorToken: token)
    do {
      for service in SuiteService.allCases { try await suite.start(service) }
    } catch {
      await suite.stopAll()
      throw error
    }
    return suite
  }

  /// Starts `service` again on its port and data directory (after ``kill9(_:)`` or
  /// ``terminate(_:)``).
  public func start(_ service: SuiteService) async throws {
    var arguments = ["--port", "\(ports[service]!)"] + extraArguments
    if let security { arguments += security.serverArguments(for: service) }
    for peer in SuiteService.allCases where peer != service {
      arguments += ["--\(peer.rawValue)-addr", "127.0.0.1:\(ports[peer]!)"]
    }
    let process = try await ServiceProcess(
      service.executableName, dataDirectory: root.appendingPathComponent(service.rawValue), arguments: arguments)
    running.withLock { $0[service] = process }
  }

  /// The running process of `service`.
  public func process(_ service: SuiteService) -> ServiceProcess {
    guard let process = running.withLock({ $0[service] }) else { preconditionFailure("\(service) is not running") }
    return process
  }

  /// Kills `service` with SIGKILL, as a crash would.
  public func kill9(_ service: SuiteService) async {
    guard let process = running.withLock({ $0.removeValue(forKey: service) }) else { return }
    await process.kill9()
  }

  /// Stops `service` with SIGTERM.
  public func terminate(_ service: SuiteService) async {
    guard let process = running.withLock({ $0.removeValue(forKey: service) }) else { return }
    await process.terminate()
  }

  /// Runs `body` with a client connected to `service`.
  public func withClient<Result: Sendable>(
    _ service: SuiteService, _ body: (GRPCClient<HTTP2ClientTransport.Posix>) async throws -> Result
  ) async throws -> Result {
    if let security {
      return try await process(service).withClient(security: security.clientSecurity(), token: operatorToken, body)
    }
    return try await process(service).withClient(body)
  }

  /// Stops every running service and removes the stores.
  public func stopAll() async {
    let all = running.withLock { running in
      defer { running.removeAll() }
      return Array(running.values)
    }
    for process in all { await process.terminate() }
    try? FileManager.default.removeItem(at: root)
  }
}
