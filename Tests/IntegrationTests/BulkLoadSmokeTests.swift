import Foundation
import ServiceKitTesting
import Testing

/// The scale run's load scenarios (`crm load --scenario segmentation-read ...`) need stores that
/// `crm-bench <service> fill` wrote. Here each runs for a second against a small store filled
/// the same way, through the real executables on loopback: every answer must be OK.
@Suite("crm load's bulk scenarios against small crm-bench stores", .serialized, .timeLimit(.minutes(6)))
struct BulkLoadSmokeTests {
  /// One service, how to fill its small store, and the scenarios run against it.
  struct BulkCase: Sendable, CustomTestStringConvertible {
    var service: String
    var fill: [String]
    var scenarios: [String]
    var testDescription: String { service }
  }

  /// The counts the scenarios are told match what the fills wrote (bulk ids 0..<300, products
  /// p-00000..<50).
  static let customers = 300
  static let products = 50

  static let cases: [BulkCase] = [
    BulkCase(
      service: "segmentation",
      fill: ["--customers", "\(customers)", "--purchases", "1500", "--products", "\(products)"],
      scenarios: ["segmentation-read", "segmentation-write"]),
    BulkCase(
      service: "loyalty", fill: ["--accounts", "\(customers)", "--entries", "3000"],
      scenarios: ["loyalty-read", "loyalty-write"]),
    BulkCase(
      service: "trust",
      fill: ["--reviews", "600", "--products", "\(products)", "--customers", "\(customers)"],
      scenarios: ["trust-read"]),
    BulkCase(
      service: "feedback",
      fill: ["--tickets", "600", "--customers", "\(customers)", "--agents", "10", "--teams", "5"],
      scenarios: ["feedback-write"]),
  ]

  @Test("each bulk scenario answers only OK over a store crm-bench filled", arguments: cases)
  func scenarios(_ bulk: BulkCase) async throws {
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let fill = try await runToExit(
      "crm-bench", arguments: [bulk.service, "fill", "--data-dir", directory.path, "--seed", "1"] + bulk.fill,
      timeout: .seconds(120))
    try #require(fill.status == 0, "\(bulk.service) fill: \(fill.standardError)")

    let service = try await ServiceProcess("\(bulk.service)-service", dataDirectory: directory)
    do {
      for scenario in bulk.scenarios {
        let out = directory.appendingPathComponent("\(scenario).json")
        let load = try await runToExit(
          "crm",
          arguments: [
            "load", bulk.service, "--scenario", scenario, "--addr", "127.0.0.1:\(service.port)",
            "--duration", "1", "--requests", "400", "--concurrency", "16",
            "--bulk-customers", "\(Self.customers)", "--bulk-products", "\(Self.products)",
            "--quiet", "--out", out.path,
          ], timeout: .seconds(60))
        #expect(load.status == 0, "\(scenario): \(load.standardOutput)\(load.standardError)")
        let result = try JSONSerialization.jsonObject(with: Data(contentsOf: out)) as? [String: Any]
        let requests = result?["requests"] as? Int ?? 0
        #expect(requests > 0 && result?["ok"] as? Int == requests, "\(scenario): \(result ?? [:])")
      }
    } catch {
      await service.terminate()
      throw error
    }
    #expect(await service.terminate() == 0)
  }
}
