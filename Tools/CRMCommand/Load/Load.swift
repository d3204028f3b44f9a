import ArgumentParser
import Foundation
import ServiceKit

/// `crm load`: drives one service over real gRPC and reports throughput, latency and statuses.
struct Load: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Load-test one service (closed or open loop), optionally beside the echo baseline.",
    discussion: """
      Targets: segmentation, interaction, feedback, trust, loyalty, echo. Each has a default
      scenario (`--list` shows them); --mix narrows and re-weights its operations, e.g.
      --mix get=9,record-purchase=1, or reads the same from a file with --mix @file. The
      segmentation-read/-write, loyalty-read/-write, trust-read and feedback-write scenarios run
      over a store filled by `crm-bench <service> fill` (--bulk-customers, --bulk-products). Closed loop
      (the default): --connections x --concurrency RPCs in flight. Open loop: --rate requests a
      second, latency measured from when each was due. Every run is bounded by --duration and
      --requests. --baseline also runs the echo scenario against `crm echo-server` (started here,
      same transport and settings) with the same shape, and reports the ratio. Any answer other
      than OK is counted by its status and never as a success; the exit status is 1 when any was
      not OK.
      """)

  @Argument(help: "segmentation, interaction, feedback, trust, loyalty or echo.")
  var target: String = "echo"

  @Option(help: "host:port of the target (default: its usual port; echo starts its own server).")
  var addr: String?

  @Option(name: .customLong("segmentation-addr"), help: "host:port of segmentation, where the interaction scenario creates its customers.")
  var segmentationAddress = "127.0.0.1:\(SuiteService.segmentation.defaultPort)"

  @Option(help: "Scenario name (default: the target's).")
  var scenario: String?

  @Option(help: "Operation weights, name=weight,...; or @file holding the same.")
  var mix: String?

  @Option(help: "HTTP/2 connections.")
  var connections = 1

  @Option(help: "RPCs in flight per connection (closed loop).")
  var concurrency = 128

  @Option(help: "Requests per second (open loop); closed loop when absent.")
  var rate: Double?

  @Option(help: "Seconds to run (at most).")
  var duration: Double = 10

  @Option(help: "Requests to send (at most).")
  var requests = 10_000_000

  @Option(help: "Deadline of each RPC in seconds.")
  var timeout: Double = 5

  @Flag(help: "Also measure the echo baseline in this run and report the ratio.")
  var baseline = false

  @Option(help: "Write the result as JSON to this file.")
  var out: String?

  @Option(name: .customLong("bulk-customers"), help: "Customers in a store filled by crm-bench (the *-read/*-write scenarios).")
  var bulkCustomers = 1_000_000

  @Option(name: .customLong("bulk-products"), help: "Products in a store filled by crm-bench (trust-read).")
  var bulkProducts = 10_000

  @Flag(help: "List the scenarios and exit.")
  var list = false

  @Flag(help: "No per-second progress lines.")
  var quiet = false

  @OptionGroup var security: ClientSecurityOptions

  func validate() throws {
    guard (1...64).contains(connections) else { throw ValidationError("--connections must be 1 to 64") }
    guard (1...4096).contains(concurrency) else { throw ValidationError("--concurrency must be 1 to 4096") }
    guard duration > 0, duration <= 3600 else { throw ValidationError("--duration must be above 0 and at most 3600") }
    guard requests >= 1 else { throw ValidationError("--requests must be at least 1") }
    guard bulkCustomers >= 1, bulkProducts >= 1 else { throw ValidationError("--bulk-customers and --bulk-products must be at least 1") }
    if let rate, !(rate > 0 && rate <= 1_000_000) { throw ValidationError("--rate must be above 0 and at most 1000000") }
  }

  func run() async throws {
    let runID = String(UUID().uuidString.prefix(8)).lowercased()
    guard let segmentation = PeerAddress(parsing: segmentationAddress) else {
      throw ValidationError("--segmentation-addr: '\(segmentationAddress)' is not host:port")
    }
    // The suite's credentials; the echo server this command starts itself is plaintext.
    let credentials = try security.resolve()
    var scenarios = LoadScenarios.scenarios(runID: runID, segmentationAddress: segmentation, security: credentials)
    for bulk in BulkLoadScenarios.scenarios(runID: runID, customers: bulkCustomers, products: bulkProducts) {
      scenarios[bulk.name] = bulk
    }
    if list {
      for name in scenarios.keys.sorted() { print("\(name.padding(toLength: 18, withPad: " ", startingAt: 0)) \(scenarios[name]!.summary)") }
      return
    }
    guard let defaultScenario = LoadScenarios.defaults[target] else {
      throw ValidationError("unknown target '\(target)'; one of \(LoadScenarios.defaults.keys.sorted().joined(separator: ", "))")
    }
    guard var chosen = scenarios[scenario ?? defaultScenario] else {
      throw ValidationError("unknown scenario '\(scenario ?? "")'; --list shows them")
    }
    if let mix { chosen = try chosen.mixed(try Self.parseMix(mix)) }
    let mode: LoadMode = rate.map { .open(ratePerSecond: $0) } ?? .closed(concurrency: concurrency)

    var echoServer: EchoProcess?
    defer { echoServer?.stop() }
    let address: PeerAddress
    var targetSecurity = credentials
    if target == "echo", addr == nil {
      echoServer = try EchoProcess.start()
      address = echoServer!.address
      targetSecurity = .plaintext
    } else if let addr {
      guard let parsed = PeerAddress(parsing: addr) else { throw ValidationError("--addr: '\(addr)' is not host:port") }
      address = parsed
    } else {
      address = PeerAddress(host: "127.0.0.1", port: SuiteService(rawValue: target)!.defaultPort)
    }

    FileHandle.standardError.write(Data("load: \(target) at \(address), scenario \(chosen.name) (\(chosen.summary))\n".utf8))
    var result = try await runner(address, chosen, mode, targetSecurity).run(target: target)
    if baseline, target != "echo" {
      let echo = try EchoProcess.start()
      defer { echo.stop() }
      FileHandle.standardError.write(Data("load: echo baseline at \(echo.address)\n".utf8))
      let echoResult = try await runner(echo.address, LoadScenarios.echo(), mode, .plaintext).run(target: "echo")
      result.echoThroughput = echoResult.throughput
      result.ratioToEcho = result.throughput / max(echoResult.throughput, 1e-9)
    }
    print(Self.describe(result))
    if let out {
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
      try encoder.encode(result).write(to: URL(fileURLWithPath: out))
    }
    if result.ok != result.requests { throw ExitCode.failure }
  }

  private func runner(
    _ address: PeerAddress, _ scenario: LoadScenario, _ mode: LoadMode, _ security: ClientSecurity
  ) -> LoadRunner {
    LoadRunner(
      address: address, security: security, scenario: scenario, connections: connections, mode: mode,
      duration: .milliseconds(Int64(duration * 1000)), maxRequests: requests,
      timeout: .milliseconds(Int64(timeout * 1000)), progress: !quiet)
  }

  static func parseMix(_ text: String) throws -> [String: Int] {
    var spec = text
    if text.hasPrefix("@") {
      guard let data = FileManager.default.contents(atPath: String(text.dropFirst())) else {
        throw ValidationError("--mix: cannot read \(text.dropFirst())")
      }
      spec = String(decoding: data, as: UTF8.self)
    }
    var weights: [String: Int] = [:]
    for part in spec.split(whereSeparator: { $0 == "," || $0.isNewline }) where !part.trimmingCharacters(in: .whitespaces).isEmpty {
      let pieces = part.split(separator: "=").map { $0.trimmingCharacters(in: .whitespaces) }
      guard pieces.count == 2, let weight = Int(pieces[1]), weight > 0 else {
        throw ValidationError("--mix: '\(part)' is not name=weight with a weight above 0")
      }
      weights[pieces[0]] = weight
    }
    guard !weights.isEmpty else { throw ValidationError("--mix: no operations") }
    return weights
  }

  static func describe(_ result: LoadResult) -> String {
    let l = result.latencyMicroseconds
    func ms(_ micros: UInt64) -> String { String(format: "%.2f ms", Double(micros) / 1000) }
    var shape = "target      \(result.target) (\(result.scenario)), \(result.mode), \(result.connections) connection(s)"
    if let concurrency = result.concurrency { shape += " x \(concurrency) in flight" }
    if let rate = result.ratePerSecond { shape += " at \(Int(rate))/s" }
    var lines: [String] = [
      shape,
      "requests    \(result.requests) in \(String(format: "%.1f", result.seconds)) s; OK \(result.ok)",
      "throughput  \(Int(result.throughput)) OK RPC/s",
      "latency     p50 \(ms(l.p50))  p90 \(ms(l.p90))  p99 \(ms(l.p99))  p99.9 \(ms(l.p999))  max \(ms(l.max))",
      "statuses    " + result.statuses.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "),
    ]
    if let ratio = result.ratioToEcho, let echo = result.echoThroughput {
      lines.append("vs echo     \(String(format: "%.0f%%", ratio * 100)) of the echo baseline (\(Int(echo)) RPC/s in the same run)")
    }
    return lines.joined(separator: "\n")
  }
}

/// `crm echo-server` started as a child for a baseline, stopped with the run.
struct EchoProcess {
  let process: Process
  let address: PeerAddress

  static func start() throws -> EchoProcess {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    process.arguments = ["echo-server", "--port", "0", "--log-level", "warning"]
    let stdout = Pipe()
    process.standardOutput = stdout
    try process.run()
    var buffer = Data()
    while !buffer.contains(UInt8(ascii: "\n")) {
      let chunk = stdout.fileHandleForReading.availableData
      if chunk.isEmpty { throw LoadError("echo-server did not start") }
      buffer.append(chunk)
    }
    let line = String(decoding: buffer, as: UTF8.self).split(separator: "\n")[0]
    guard let text = line.split(separator: " ").last, let address = PeerAddress(parsing: String(text)) else {
      throw LoadError("echo-server said '\(line)'")
    }
    return EchoProcess(process: process, address: address)
  }

  func stop() {
    if process.isRunning {
      process.terminate()
      process.waitUntilExit()
    }
  }
}
