import ArgumentParser
import DevCredentials
import Foundation
import ServiceKit
import Synchronization

/// `crm up`: the five services as child processes on loopback, until Ctrl-C.
struct Up: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Start the five services on this machine; Ctrl-C stops them all.",
    discussion: """
      Stores go under --data-dir (one SQLite file per service). Each service's log lines are
      prefixed with its name. Ctrl-C (or SIGTERM) sends SIGTERM to every service and waits
      --grace seconds before killing what is left. A service that dies is reported with its
      exit status; `crm up` then exits non-zero when the others have stopped.

      --secure runs every service with TLS, client certificates (mTLS) and bearer tokens, from a
      development CA under <data-dir>/pki (made on first use; `crm dev-credentials` makes one
      too). The other crm commands find <data-dir>/pki by themselves and call as `operator`.
      """)

  @Option(name: .customLong("data-dir"), help: "Directory for the stores (default: CRM_DATA_DIR, then ./data).")
  var dataDirectory: String?

  @Flag(help: "TLS, mTLS and bearer tokens, with development credentials under <data-dir>/pki.")
  var secure = false

  @Option(name: .customLong("base-port"), help: "gRPC port of segmentation; the others follow (+1..+4). 0 picks free ports.")
  var basePort = SuiteService.segmentation.defaultPort

  @Option(name: .customLong("metrics-base-port"), help: "Metrics port of segmentation; the others follow. 0 picks free ports.")
  var metricsBasePort = SuiteService.segmentation.defaultMetricsPort

  @Option(help: "Seconds to wait for every service to report SERVING.")
  var startTimeout: Double = 60

  @Option(help: "Seconds services get to stop after SIGTERM before they are killed.")
  var grace: Double = 15

  @Option(name: .customLong("log-level"), help: "Log level passed to every service.")
  var logLevel = "info"

  func run() async throws {
    let dataDirectory = DataDirectory.resolve(flag: dataDirectory)
    let pki = URL(fileURLWithPath: dataDirectory).appendingPathComponent("pki")
    var credentials: DevelopmentCredentials?
    if secure {
      credentials = try SuitePKI.prepare(at: pki)
    } else if DevelopmentCredentials.exist(in: pki) {
      FileHandle.standardError.write(Data(
        "note: \(pki.path) exists, so the other crm commands call with TLS; use --secure, or give them --plaintext\n".utf8))
    }
    let launcher = try SuiteLauncher(
      dataDirectory: dataDirectory, basePort: basePort, metricsBasePort: metricsBasePort, logLevel: logLevel,
      credentials: credentials)
    try await launcher.run(startTimeout: startTimeout, grace: grace)
  }
}

/// The development credentials of `crm up --secure`.
enum SuitePKI {
  /// The client the crm commands call as.
  static let operatorClient = "operator"

  /// Opens the credentials at `directory`, making them first when there are none; throws when
  /// they lack a service or the operator.
  static func prepare(at directory: URL) throws -> DevelopmentCredentials {
    guard DevelopmentCredentials.exist(in: directory) else {
      let credentials = try DevelopmentCredentials.create(
        in: directory, services: SuiteService.allCases.map(\.rawValue), clients: [operatorClient])
      FileHandle.standardError.write(Data("made development credentials in \(directory.path)\n".utf8))
      return credentials
    }
    let credentials = try DevelopmentCredentials.load(from: directory)
    let missing =
      SuiteService.allCases.map(\.rawValue).filter { !credentials.services.contains($0) }
      + (credentials.clients.contains(operatorClient) ? [] : [operatorClient])
    guard missing.isEmpty else {
      throw CredentialsProblem(
        "\(directory.path) has no certificate for \(missing.joined(separator: ", ")); remove it to have a new one made")
    }
    return credentials
  }
}

/// Development credentials that cannot be made or used; printed as is, without the usage.
struct CredentialsProblem: Error, CustomStringConvertible {
  var description: String
  init(_ description: String) { self.description = description }
}

/// Starts, watches and stops the children of `crm up`.
final class SuiteLauncher: Sendable {
  private let dataDirectory: String
  private let ports: [SuiteService: Int]
  private let metricsPorts: [SuiteService: Int]
  private let logLevel: String
  private let credentials: DevelopmentCredentials?
  /// How the health checks reach the services: as the operator when they run secure.
  private let probeSecurity: ClientSecurity
  private let children = Mutex<[SuiteService: Process]>([:])
  private let output = ConsoleOutput()

  init(
    dataDirectory: String, basePort: Int, metricsBasePort: Int, logLevel: String,
    credentials: DevelopmentCredentials? = nil
  ) throws {
    self.dataDirectory = dataDirectory
    self.logLevel = logLevel
    self.credentials = credentials
    self.probeSecurity = credentials.map { ClientSecurity.discovered(in: $0.directory) } ?? .plaintext
    var ports: [SuiteService: Int] = [:]
    var metrics: [SuiteService: Int] = [:]
    for (offset, service) in SuiteService.allCases.enumerated() {
      ports[service] = basePort == 0 ? try LoopbackPort.free() : basePort + offset
      metrics[service] = metricsBasePort == 0 ? try LoopbackPort.free() : metricsBasePort + offset
    }
    self.ports = ports
    self.metricsPorts = metrics
  }

  func run(startTimeout: Double, grace: Double) async throws {
    try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
    // An exited child, or nil for Ctrl-C / SIGTERM.
    let exits = AsyncStream<(SuiteService, Int32)?>.makeStream()
    let signals = SignalWatcher(signals: [SIGINT, SIGTERM])

    for service in SuiteService.allCases {
      try start(service) { status in exits.continuation.yield((service, status)) }
    }

    // Wait for SERVING (or an early death, or Ctrl-C).
    var statuses: [SuiteService: String] = [:]
    let deadline = Date().addingTimeInterval(startTimeout)
    while statuses.count < SuiteService.allCases.count, Date() < deadline, !signals.received {
      for service in SuiteService.allCases where statuses[service] == nil {
        let status = await HealthProbe.status(of: address(of: service), security: probeSecurity, timeout: 0.5)
        if status == "SERVING" { statuses[service] = status }
        if let process = children.withLock({ $0[service] }), !process.isRunning {
          statuses[service] = "EXITED (status \(process.terminationStatus))"
        }
      }
      if statuses.count < SuiteService.allCases.count { try? await Task.sleep(for: .milliseconds(200)) }
    }
    output.line(
      SuiteTable.render(SuiteService.allCases.map {
        ($0.rawValue, address(of: $0).description, statuses[$0] ?? "NOT READY after \(Int(startTimeout)) s")
      }))
    let allServing = statuses.values.allSatisfy { $0 == "SERVING" } && statuses.count == SuiteService.allCases.count
    if allServing, let credentials {
      output.line("TLS, mTLS and tokens on; credentials in \(credentials.directory.path) (crm uses them by itself)")
    }
    output.line(allServing ? "suite is up; Ctrl-C stops it" : "suite did not come up; stopping")

    var failed = !allServing
    if allServing {
      // Run until a signal, or until every child has exited on its own.
      var running = Set(SuiteService.allCases)
      let watcher = Task {
        await signals.wait()
        exits.continuation.yield(nil)
      }
      for await event in exits.stream {
        guard let (service, status) = event else { break }
        running.remove(service)
        failed = true
        output.line("\(service.rawValue) exited with status \(status)")
        if running.isEmpty { break }
      }
      watcher.cancel()
    }
    await stopAll(grace: grace)
    if failed { throw ExitCode.failure }
  }

  private func address(of service: SuiteService) -> PeerAddress {
    PeerAddress(host: "127.0.0.1", port: ports[service]!)
  }

  private func start(_ service: SuiteService, onExit: @escaping @Sendable (Int32) -> Void) throws {
    let process = Process()
    let binary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
      .deletingLastPathComponent().appendingPathComponent(service.executableName)
    process.executableURL = binary
    var arguments = [
      "--port", "\(ports[service]!)", "--metrics-port", "\(metricsPorts[service]!)",
      "--data-dir", dataDirectory, "--log-level", logLevel,
    ]
    for peer in SuiteService.allCases where peer != service {
      arguments += ["--\(peer.rawValue)-addr", address(of: peer).description]
    }
    if let credentials {
      arguments += Self.securityArguments(of: service.rawValue, in: credentials)
    }
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    let prefix = output.prefix(for: service)
    let pending = Mutex(Data())
    let output = self.output
    pipe.fileHandleForReading.readabilityHandler = { handle in
      let chunk = handle.availableData
      guard !chunk.isEmpty else {
        handle.readabilityHandler = nil
        return
      }
      let lines = pending.withLock { buffer -> [String] in
        buffer.append(chunk)
        var lines: [String] = []
        while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
          lines.append(String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self))
          buffer.removeSubrange(buffer.startIndex...newline)
        }
        return lines
      }
      for line in lines { output.line(prefix + line) }
    }
    process.terminationHandler = { process in onExit(process.terminationStatus) }
    try process.run()
    children.withLock { $0[service] = process }
  }

  /// TLS with the service's own certificate (presented to its peers too), client certificates
  /// from the CA required, and tokens verified with the development JWKS.
  static func securityArguments(of service: String, in credentials: DevelopmentCredentials) -> [String] {
    let identity = credentials.service(service)
    return [
      "--tls-cert-file", identity.certificate.path, "--tls-key-file", identity.privateKey.path,
      "--tls-client-ca-file", credentials.caCertificate.path, "--tls-ca-file", credentials.caCertificate.path,
      "--auth-jwt-keys-file", credentials.jwks.path,
    ]
  }

  private func stopAll(grace: Double) async {
    let processes = children.withLock { Array($0) }
    for (_, process) in processes where process.isRunning { kill(process.processIdentifier, SIGTERM) }
    let deadline = Date().addingTimeInterval(grace)
    while processes.contains(where: { $0.value.isRunning }), Date() < deadline {
      try? await Task.sleep(for: .milliseconds(50))
    }
    for (service, process) in processes where process.isRunning {
      output.line("\(service.rawValue) did not stop within \(Int(grace)) s; killing it")
      kill(process.processIdentifier, SIGKILL)
    }
    for (service, process) in processes {
      process.waitUntilExit()
      output.line("\(service.rawValue) stopped (status \(process.terminationStatus))")
    }
  }
}

/// Lines to the terminal, one writer at a time, with a colour per service on a terminal.
final class ConsoleOutput: Sendable {
  private let lock = Mutex(())
  private let colours = isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil

  func prefix(for service: SuiteService) -> String {
    let name = service.rawValue.padding(toLength: 12, withPad: " ", startingAt: 0)
    guard colours else { return "\(name) | " }
    let code = [36, 32, 33, 35, 34][SuiteService.allCases.firstIndex(of: service)!]
    return "\u{1B}[\(code)m\(name)\u{1B}[0m | "
  }

  func line(_ text: String) {
    lock.withLock { _ in FileHandle.standardOutput.write(Data((text + "\n").utf8)) }
  }
}

/// SIGINT/SIGTERM delivered as a value instead of ending the process.
final class SignalWatcher: Sendable {
  private let state = Mutex<(received: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))
  // Only held to keep the sources alive; never touched after init.
  private nonisolated(unsafe) let sources: [any DispatchSourceSignal]

  init(signals: [Int32]) {
    var sources: [any DispatchSourceSignal] = []
    for number in signals {
      signal(number, SIG_IGN)
      sources.append(DispatchSource.makeSignalSource(signal: number, queue: .global()))
    }
    self.sources = sources
    for source in sources {
      source.setEventHandler { [weak self] in self?.fire() }
      source.resume()
    }
  }

  var received: Bool { state.withLock { $0.received } }

  func wait() async {
    await withCheckedContinuation { continuation in
      let resumeNow = state.withLock { state in
        if state.received { return true }
        state.waiters.append(continuation)
        return false
      }
      if resumeNow { continuation.resume() }
    }
  }

  private func fire() {
    let waiters = state.withLock { state in
      state.received = true
      defer { state.waiters.removeAll() }
      return state.waiters
    }
    for waiter in waiters { waiter.resume() }
  }
}
