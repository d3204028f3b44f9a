import Foundation
import ServiceKit
import ServiceKitTesting
import Testing

/// The real `crm` binary against real services: `crm up` starts and stops the suite,
/// `crm health` reads it, and a service command calls an RPC with the status as exit code.
@Suite("crm command", .serialized, .timeLimit(.minutes(3)))
struct CRMCommandTests {
  @Test("crm up serves the five services; calls, health and Ctrl-C work through the real binary")
  func upCallHealthAndStop() async throws {
    let data = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: data) }
    let up = Process()
    up.executableURL = ServiceProcess.binDirectory.appendingPathComponent("crm")
    up.arguments = ["up", "--base-port", "0", "--metrics-base-port", "0", "--data-dir", data.path, "--log-level", "warning"]
    up.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("CRM_") }
    let stdout = Pipe()
    up.standardOutput = stdout
    try up.run()
    defer { if up.isRunning { kill(up.processIdentifier, SIGKILL) } }

    let output = try await readUntil("suite is up", from: stdout.fileHandleForReading, process: up)
    // Keep draining, so a chatty service can never block crm up on a full pipe.
    stdout.fileHandleForReading.readabilityHandler = { _ = $0.availableData }
    var addresses: [SuiteService: String] = [:]
    for line in output.split(separator: "\n") {
      let cells = line.split(separator: " ", omittingEmptySubsequences: true)
      if cells.count == 3, let service = SuiteService(rawValue: String(cells[0])) {
        #expect(cells[2] == "SERVING")
        addresses[service] = String(cells[1])
      }
    }
    #expect(addresses.count == 5)
    let addressFlags = SuiteService.allCases.flatMap { ["--\($0.rawValue)-addr", addresses[$0] ?? ""] }

    let health = try await runToExit("crm", arguments: ["health"] + addressFlags)
    #expect(health.status == 0, "\(health.standardOutput)\(health.standardError)")
    #expect(health.standardOutput.components(separatedBy: "SERVING").count - 1 == 5)

    let segmentation = ["--addr", addresses[.segmentation] ?? ""]
    let created = try await runToExit(
      "crm",
      arguments: ["segmentation", "create-customer", "--json", "--body",
                  #"{"customer":{"type":"CUSTOMER_TYPE_INDIVIDUAL","displayName":"Han Meimei"}}"#] + segmentation)
    #expect(created.status == 0, "\(created.standardError)")
    let body = try JSONSerialization.jsonObject(with: Data(created.standardOutput.utf8)) as? [String: Any]
    let customerID = try #require((body?["customer"] as? [String: Any])?["customerId"] as? String)

    // A positional value fills the request's first plain field (customer_id); the table shows it.
    let fetched = try await runToExit("crm", arguments: ["segmentation", "get-customer", customerID] + segmentation)
    #expect(fetched.status == 0)
    #expect(fetched.standardOutput.contains("Han Meimei"))

    let missing = try await runToExit("crm", arguments: ["segmentation", "get-customer", "no-such-id"] + segmentation)
    #expect(missing.status == 5)  // NOT_FOUND
    #expect(missing.standardError.hasPrefix("NOT_FOUND:"))

    let invalid = try await runToExit(
      "crm", arguments: ["segmentation", "create-customer", "--body", #"{"customer":{"displayName":""}}"#] + segmentation)
    #expect(invalid.status == 3)  // INVALID_ARGUMENT, naming the field
    #expect(invalid.standardError.contains("customer."))

    let unknownMethod = try await runToExit("crm", arguments: ["segmentation", "no-such-method"] + segmentation)
    #expect(unknownMethod.status != 0)
    #expect(unknownMethod.standardError.contains("get-customer"))

    // Ctrl-C: every service stops and crm up exits 0.
    kill(up.processIdentifier, SIGINT)
    let deadline = ContinuousClock.now + .seconds(30)
    while up.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
    #expect(!up.isRunning)
    #expect(up.terminationStatus == 0)
    let after = try await runToExit("crm", arguments: ["health", "--timeout", "0.5"] + addressFlags)
    #expect(after.status == 14)
    #expect(!after.standardOutput.contains(" SERVING"))
  }

  /// Reads `handle` until a line containing `marker`; fails when the process exits first.
  private func readUntil(_ marker: String, from handle: FileHandle, process: Process) async throws -> String {
    try await Task.detached {
      var text = ""
      while !text.contains(marker) {
        let chunk = handle.availableData
        if chunk.isEmpty { throw CRMUpDidNotStart(output: text) }
        text += String(decoding: chunk, as: UTF8.self)
      }
      return text
    }.value
  }
}

struct CRMUpDidNotStart: Error, CustomStringConvertible {
  var output: String
  var description: String { "crm up did not report the suite up:\n\(output)" }
}
