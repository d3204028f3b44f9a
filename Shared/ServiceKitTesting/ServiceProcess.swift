import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import ServiceKit
import Synchronization

/// A real service executable started on loopback for a test, on a free port; stopped with
/// SIGTERM (or killed) by the test, and killed at the latest when the value is released.
public final class ServiceProcess: Sendable {
  /// The executable's name (e.g. `segmentation-service`).
  public let executable: String
  /// The port it reported listening on.
  public let port: Int
  /// Its data directory.
  public let dataDirectory: URL
  private let process: Process
  private let stderrFile: URL

  /// The directory holding the built executables: `CRM_BIN_DIR`, or the directory of the
  /// running test bundle (SwiftPM builds them side by side).
  public static var binDirectory: URL {
    if let dir = ProcessInfo.processInfo.environment["CRM_BIN_DIR"] { return URL(fileURLWithPath: dir) }
    var url = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
    // On Linux the test runner is `<bin>/<package>PackageTests.xctest`, a file in `<bin>`.
    while !FileManager.default.fileExists(atPath: url.appendingPathComponent("segmentation-service").path),
      url.pathComponents.count > 1
    {
      url.deleteLastPathComponent()
    }
    return url
  }

  /// Starts `executable` with `--port 0` (unless `arguments` name a port) and waits up to
  /// `timeout` for its "listening on" line.
  public init(
    _ executable: String,
    dataDirectory: URL,
    arguments: [String] = [],
    environment: [String: String] = [:],
    timeout: Duration = .seconds(30)
  ) async throws {
    self.executable = executable
    self.dataDirectory = dataDirectory
    let process = Process()
    process.executableURL = Self.binDirectory.appendingPathComponent(executable)
    var args = ["--data-dir", dataDirectory.path]
    if !arguments.contains("--port") { args += ["--port", "0"] }
    // Tests run services side by side: never the default metrics ports.
    if !arguments.contains("--metrics-port") { args += ["--metrics-port", "0"] }
    process.arguments = args + arguments
    process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("CRM_") }
      .merging(environment) { $1 }
    let stdout = Pipe()
    process.standardOutput = stdout
    stderrFile = FileManager.default.temporaryDirectory.appendingPathComponent("\(executable)-\(UUID().uuidString).log")
    FileManager.default.createFile(atPath: stderrFile.path, contents: nil)
    process.standardError = try FileHandle(forWritingTo: stderrFile)
    try process.run()
    self.process = process

    // A service that hangs before listening is killed at the deadline, which ends the read.
    let watchdog = Task { [pid = process.processIdentifier] in
      try await Task.sleep(for: timeout)
      kill(pid, SIGKILL)
    }
    let line = await Self.firstLine(of: stdout.fileHandleForReading)
    watchdog.cancel()
    guard let line, let portText = line.split(separator: ":").last, let port = Int(portText) else {
      process.terminate()
      process.waitUntilExit()
      throw ServiceProcessError.didNotStart(executable: executable, output: line ?? "", log: Self.read(stderrFile))
    }
    self.port = port
  }

  deinit {
    if process.isRunning { kill(process.processIdentifier, SIGKILL) }
  }

  /// The process id.
  public var pid: Int32 { process.processIdentifier }

  /// What the service wrote to standard error so far.
  public var log: String { Self.read(stderrFile) }

  /// Sends SIGTERM and waits up to `timeout` for the exit; returns the exit status, or nil
  /// (after SIGKILL) when it did not exit in time.
  @discardableResult
  public func terminate(timeout: Duration = .seconds(15)) async -> Int32? {
    guard process.isRunning else { return process.terminationStatus }
    kill(process.processIdentifier, SIGTERM)
    return await waitForExit(timeout: timeout)
  }

  /// Kills the process with SIGKILL, as a crash would, and waits for it.
  public func kill9() async {
    guard process.isRunning else { return }
    kill(process.processIdentifier, SIGKILL)
    _ = await waitForExit(timeout: .seconds(10))
  }

  private func waitForExit(timeout: Duration) async -> Int32? {
    let deadline = ContinuousClock.now + timeout
    while process.isRunning && ContinuousClock.now < deadline {
      try? await Task.sleep(for: .milliseconds(20))
    }
    if process.isRunning {
      kill(process.processIdentifier, SIGKILL)
      process.waitUntilExit()
      return nil
    }
    return process.terminationStatus
  }

  /// Runs `body` with a client connected to this process over HTTP/2 on loopback, plaintext,
  /// or with `security` (and `token` sent on every call) when the process runs with TLS.
  public func withClient<Result: Sendable>(
    security: HTTP2ClientTransport.Posix.TransportSecurity = .plaintext, token: String? = nil,
    _ body: (GRPCClient<HTTP2ClientTransport.Posix>) async throws -> Result
  ) async throws -> Result {
    try await withGRPCClient(
      transport: .http2NIOPosix(target: .ipv4(address: "127.0.0.1", port: port), transportSecurity: security),
      interceptors: token.map { [BearerTokenInterceptor(token: $0)] } ?? []
    ) { client in
      try await body(client)
    }
  }

  private static func read(_ url: URL) -> String {
    (try? String(contentsOf: url, encoding: .utf8)) ?? ""
  }

  private static func firstLine(of handle: FileHandle) async -> String? {
    await Task.detached { () -> String? in
      var buffer = Data()
      while true {
        let chunk = handle.availableData
        if chunk.isEmpty { return buffer.isEmpty ? nil : String(decoding: buffer, as: UTF8.self) }
        buffer.append(chunk)
        if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
          return String(decoding: buffer[..<newline], as: UTF8.self)
        }
      }
    }.value
  }
}

/// A service executable that did not report listening.
public struct ServiceProcessError: Error, CustomStringConvertible {
  /// The executable and what it printed.
  public let executable: String, output: String, log: String

  /// Creates the error.
  static func didNotStart(executable: String, output: String, log: String) -> Self {
    Self(executable: executable, output: output, log: log)
  }

  /// The executable, its stdout line and its log.
  public var description: String { "\(executable) did not start: '\(output)'\n\(log)" }
}

/// A TCP port on 127.0.0.1 that was free a moment ago, for a test that must name a port up front.
public func freeTCPPort() throws -> Int {
  try LoopbackPort.free()
}

/// A fresh temporary directory, removed by the caller.
public func makeTemporaryDirectory() throws -> URL {
  let url = FileManager.default.temporaryDirectory.appendingPathComponent("crm-test-\(UUID().uuidString)")
  try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  return url
}

/// How a process that was expected to refuse to start ended.
public struct ProcessOutcome: Sendable {
  /// Exit status.
  public var status: Int32
  /// What it wrote to standard output.
  public var standardOutput: String
  /// What it wrote to standard error.
  public var standardError: String
}

/// Runs `executable` from the build directory to completion (killed after `timeout`), for
/// tests of start-up failures.
public func runToExit(_ executable: String, arguments: [String], timeout: Duration = .seconds(30)) async throws -> ProcessOutcome {
  let process = Process()
  process.executableURL = ServiceProcess.binDirectory.appendingPathComponent(executable)
  process.arguments = arguments
  process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("CRM_") }
  let directory = try makeTemporaryDirectory()
  defer { try? FileManager.default.removeItem(at: directory) }
  let out = directory.appendingPathComponent("out"), err = directory.appendingPathComponent("err")
  FileManager.default.createFile(atPath: out.path, contents: nil)
  FileManager.default.createFile(atPath: err.path, contents: nil)
  process.standardOutput = try FileHandle(forWritingTo: out)
  process.standardError = try FileHandle(forWritingTo: err)
  try process.run()
  let deadline = ContinuousClock.now + timeout
  while process.isRunning && ContinuousClock.now < deadline {
    try await Task.sleep(for: .milliseconds(20))
  }
  if process.isRunning { kill(process.processIdentifier, SIGKILL) }
  process.waitUntilExit()
  return ProcessOutcome(
    status: process.terminationStatus,
    standardOutput: (try? String(contentsOf: out, encoding: .utf8)) ?? "",
    standardError: (try? String(contentsOf: err, encoding: .utf8)) ?? "")
}
