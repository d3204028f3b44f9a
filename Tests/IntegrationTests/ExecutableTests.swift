import Contracts
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import ServiceKit
import ServiceKitTesting
import Testing

/// The real executables, started on 127.0.0.1 with free ports, called over HTTP/2.
@Suite("Executables on loopback", .serialized, .timeLimit(.minutes(3)))
struct ExecutableTests {
  @Test("each serves health, reflection and its first RPC, stops on SIGTERM with 0, and keeps its data", arguments: SuiteService.allCases)
  func servesAndSurvivesRestart(service: SuiteService) async throws {
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }

    let first = try await ServiceProcess(service.executableName, dataDirectory: directory)
    let id = try await first.withClient { client in
      let health = Grpc_Health_V1_Health.Client(wrapping: client)
      #expect(try await health.check(.with { $0.service = service.grpcServiceName }).status == .serving)
      #expect(try await health.check(.init()).status == .serving)

      let reflection = Grpc_Reflection_V1_ServerReflection.Client(wrapping: client)
      let names = try await reflection.serverReflectionInfo(
        requestProducer: { try await $0.write(.with { $0.listServices = "" }) }
      ) { response in
        var names: [String] = []
        for try await message in response.messages { names += message.listServicesResponse.service.map(\.name) }
        return names
      }
      // Every service offers these; event senders and receivers add Outbox and EventSink.
      let base: Set = [
        service.grpcServiceName, "grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection",
        "grpc.reflection.v1alpha.ServerReflection", "crm.ops.v1.StoreAdmin", "crm.ops.v1.AuditLog",
      ]
      #expect(Set(names).isSuperset(of: base))
      #expect(Set(names).subtracting(base).isSubset(of: ["crm.events.v1.Outbox", "crm.events.v1.EventSink"]))

      return try await ServiceRoundTrip.create(service, client)
    }
    #expect(await first.terminate() == 0, "\(first.log)")
    #expect(first.log.contains("code=ok"), "one log line per RPC")

    let second = try await ServiceProcess(service.executableName, dataDirectory: directory)
    let value = try await second.withClient { try await ServiceRoundTrip.get(service, $0, id: id) }
    #expect(value == ServiceRoundTrip.expected[service])
    // The idempotent create, repeated after the restart, does not write again.
    let again = try await second.withClient { try await ServiceRoundTrip.create(service, $0) }
    #expect(again == id)
    #expect(await second.terminate() == 0)
  }

  @Test(
    "a setting that cannot be used is one line on stderr naming it, and exit 2",
    arguments: [
      (["--port", "99999"], "--port"),
      (["--log-level", "chatty"], "--log-level"),
      (["--no-such-flag"], "no-such-flag"),
      (["--data-dir", "/proc/crm-cannot-write-here"], "--data-dir"),
      (["--segmentation-addr", "nowhere"], "--segmentation-addr"),
    ])
  func badSettings(arguments: [String], named: String) async throws {
    let outcome = try await runToExit("loyalty-service", arguments: ["--port", "0", "--metrics-port", "0"] + arguments)
    #expect(outcome.status == 2)
    let lines = outcome.standardError.split(separator: "\n")
    #expect(lines.count == 1, "\(outcome.standardError)")
    #expect(outcome.standardError.hasPrefix("error: "))
    #expect(outcome.standardError.contains(named))
  }

  @Test("a port already taken is one line naming --port, and exit 2")
  func portTaken() async throws {
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let running = try await ServiceProcess("trust-service", dataDirectory: directory.appendingPathComponent("a"))
    let outcome = try await runToExit(
      "trust-service", arguments: ["--port", "\(running.port)", "--metrics-port", "0", "--data-dir", directory.appendingPathComponent("b").path])
    #expect(outcome.status == 2)
    #expect(outcome.standardError.hasPrefix("error: --port"), "\(outcome.standardError)")
    #expect(outcome.standardError.split(separator: "\n").count == 1)
    #expect(await running.terminate() == 0)
  }

  @Test("--help prints the settings and exits 0")
  func help() async throws {
    let outcome = try await runToExit("feedback-service", arguments: ["--help"])
    #expect(outcome.status == 0)
    #expect(outcome.standardOutput.contains("--data-dir"))
    #expect(outcome.standardOutput.contains("CRM_PORT"))
  }
}
