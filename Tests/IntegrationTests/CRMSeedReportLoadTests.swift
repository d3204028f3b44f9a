import Foundation
import ServiceKit
import ServiceKitTesting
import Testing

/// `crm seed`, `crm report` and `crm load` through the real binary against the five real services.
@Suite("crm seed, report and load", .serialized, .timeLimit(.minutes(6)))
struct CRMSeedReportLoadTests {
  @Test("seed is repeatable, report gathers all five services as table/JSON/HTML, every load scenario answers OK")
  func seedReportLoad() async throws {
    let suite = try await SuiteProcesses.start()
    do {
      try await Self.check(suite)
    } catch {
      await suite.stopAll()
      throw error
    }
    await suite.stopAll()
  }

  static func check(_ suite: SuiteProcesses) async throws {
    let addresses = SuiteService.allCases.flatMap { ["--\($0.rawValue)-addr", "127.0.0.1:\(suite.ports[$0]!)"] }

    let seeded = try await runToExit("crm", arguments: ["seed", "--customers", "30", "--seed", "7"] + addresses, timeout: .seconds(180))
    #expect(seeded.status == 0, "\(seeded.standardError)")
    #expect(seeded.standardOutput.contains("seeded 30 customers"))
    // The same seed again writes nothing new: every write carried a key derived from it.
    let again = try await runToExit("crm", arguments: ["seed", "--customers", "30", "--seed", "7"] + addresses, timeout: .seconds(180))
    #expect(again.status == 0, "\(again.standardError)")
    let count = try await runToExit(
      "crm", arguments: ["segmentation", "list-customers", "--json", "--body", #"{"page":{"pageSize":500}}"#,
                         "--addr", "127.0.0.1:\(suite.ports[.segmentation]!)"])
    let listed = try JSONSerialization.jsonObject(with: Data(count.standardOutput.utf8)) as? [String: Any]
    #expect((listed?["customers"] as? [Any])?.count == 30)

    // Every command group calls its service (the README's walk-through, on the seeded data).
    // A seeded customer who bought something (so loyalty has an account for them).
    var buyer: String?
    for n in 0..<30 where buyer == nil {
      let resolved = try await runToExit(
        "crm", arguments: ["segmentation", "resolve-identity", "--json", "--body",
                           #"{"identity": {"channel": "IDENTITY_CHANNEL_APP_ACCOUNT", "externalId": "app-7-\#(n)"}}"#,
                           "--addr", "127.0.0.1:\(suite.ports[.segmentation]!)"])
      #expect(resolved.status == 0, "\(resolved.standardError)")
      let customer = (try JSONSerialization.jsonObject(with: Data(resolved.standardOutput.utf8)) as? [String: Any])?["customer"] as? [String: Any]
      if let count = customer?["purchaseCount"] as? String, Int(count) ?? 0 > 0 { buyer = customer?["customerId"] as? String }
    }
    let id = try #require(buyer)
    let calls: [(SuiteService, [String])] = [
      (.segmentation, ["segmentation", "get-customer", id]),
      (.loyalty, ["loyalty", "get-account", id]),
      (.interaction, ["interaction", "list-tasks", "--body", #"{"customerId": "\#(id)"}"#]),
      (.interaction, ["interaction", "list-timeline", id]),
      (.feedback, ["feedback", "list-tickets", id]),
      (.trust, ["trust", "list-guarantees"]),
      (.trust, ["trust", "get-product-summary", "p-0001"]),
      (.loyalty, ["ops", "loyalty", "get-outbox-status"]),
    ]
    for (service, arguments) in calls {
      let outcome = try await runToExit("crm", arguments: arguments + ["--addr", "127.0.0.1:\(suite.ports[service]!)"])
      #expect(outcome.status == 0, "\(arguments): \(outcome.standardError)")
      let methods = try await runToExit("crm", arguments: [service.rawValue, "methods"])
      #expect(methods.status == 0 && methods.standardOutput.split(separator: "\n").count >= 5, "\(service)")
    }
    let missing = try await runToExit(
      "crm", arguments: ["loyalty", "get-account", "no-such-customer", "--addr", "127.0.0.1:\(suite.ports[.loyalty]!)"])
    #expect(missing.status == 5 && missing.standardError.hasPrefix("NOT_FOUND:"))

    let period = ["--from", "2024-01-01", "--to", "2028-01-01"]
    let json = try await runToExit("crm", arguments: ["report", "--format", "json"] + period + addresses, timeout: .seconds(120))
    #expect(json.status == 0, "\(json.standardError)")
    let report = try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any]
    let services = report?["services"] as? [String: Any] ?? [:]
    #expect(Set(services.keys) == Set(SuiteService.allCases.map(\.rawValue)))
    for (name, figures) in services {
      #expect((figures as? [String: Any])?["error"] == nil, "\(name): \(figures)")
    }
    // Retention and lifetime value come from segmentation: the seeded customers have bought.
    let segmentation = services["segmentation"] as? [String: Any] ?? [:]
    #expect((segmentation["buyingCustomers"] as? String).flatMap(Int.init) ?? 0 > 0, "\(segmentation.keys)")
    #expect((segmentation["averageLifetimeValue"] as? [String: Any])?["currency"] as? String == "CNY")
    // The seed publishes most reviews, as a moderator would: the trust figures count them.
    let trust = services["trust"] as? [String: Any] ?? [:]
    #expect((trust["reviewsPublished"] as? String).flatMap(Int.init) ?? 0 > 0, "\(trust)")
    let html = FileManager.default.temporaryDirectory.appendingPathComponent("crm-report-\(UUID().uuidString).html")
    defer { try? FileManager.default.removeItem(at: html) }
    let page = try await runToExit(
      "crm", arguments: ["report", "--format", "html", "--output", html.path] + period + addresses, timeout: .seconds(120))
    #expect(page.status == 0, "\(page.standardError)")
    let text = try String(contentsOf: html, encoding: .utf8)
    #expect(text.contains("<svg"))
    #expect(!text.contains("src=\"http") && !text.contains("href=\"http"), "the page fetches nothing")
    let table = try await runToExit("crm", arguments: ["report"] + period + addresses, timeout: .seconds(120))
    #expect(table.status == 0)
    #expect(table.standardOutput.contains("Loyalty"))

    // A short smoke of every load scenario: only OK answers, or the exit status says so.
    for target in ["echo", "segmentation", "loyalty", "interaction", "feedback", "trust"] {
      let out = FileManager.default.temporaryDirectory.appendingPathComponent("crm-load-\(UUID().uuidString).json")
      defer { try? FileManager.default.removeItem(at: out) }
      var arguments = ["load", target, "--duration", "1", "--requests", "400", "--concurrency", "16", "--quiet", "--out", out.path]
      if let service = SuiteService(rawValue: target) { arguments += ["--addr", "127.0.0.1:\(suite.ports[service]!)"] }
      arguments += ["--segmentation-addr", "127.0.0.1:\(suite.ports[.segmentation]!)"]
      let load = try await runToExit("crm", arguments: arguments, timeout: .seconds(120))
      #expect(load.status == 0, "\(target): \(load.standardOutput)\(load.standardError)")
      let result = try JSONSerialization.jsonObject(with: Data(contentsOf: out)) as? [String: Any]
      let requests = result?["requests"] as? Int ?? 0
      #expect(requests > 0 && result?["ok"] as? Int == requests, "\(target): \(result ?? [:])")
    }
  }
}
