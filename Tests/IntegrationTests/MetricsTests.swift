import Contracts
import Foundation
import GRPCCore
import ServiceKit
import ServiceKitTesting
import Testing

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

@Suite("Prometheus endpoint", .serialized, .timeLimit(.minutes(2)))
struct MetricsTests {
  func scrape(port: Int) async throws -> String {
    let (data, response) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/metrics")!)
    #expect((response as? HTTPURLResponse)?.statusCode == 200)
    return String(decoding: data, as: UTF8.self)
  }

  /// The value of the sample whose line starts with `prefix` (name and labels), or nil.
  func sample(_ text: String, _ prefix: String) -> Double? {
    text.split(separator: "\n").first { $0.hasPrefix(prefix) }.flatMap { Double($0.split(separator: " ").last!) }
  }

  @Test("counters per method and status match the RPCs made; latency and store size are there")
  func countersMatchRPCs() async throws {
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let metricsPort = try freeTCPPort()
    let service = try await ServiceProcess(
      "trust-service", dataDirectory: directory, arguments: ["--metrics-port", "\(metricsPort)"])

    try await service.withClient { client in
      let trust = Crm_Trust_V1_TrustService.Client(wrapping: client)
      for n in 0..<3 {
        _ = try await trust.createReview(
          .with {
            $0.review.customerID = "c\(n)"
            $0.review.productID = "p1"
            $0.review.rating = 4
            $0.review.text = "fine"
          })
      }
      for _ in 0..<2 {
        _ = try? await trust.createReview(.with { $0.review.rating = 9 })
      }
      _ = try? await trust.getReview(.with { $0.reviewID = "missing" })
    }

    let text = try await scrape(port: metricsPort)
    let method = "crm.trust.v1.TrustService/CreateReview"
    #expect(sample(text, #"grpc_server_handled_total{grpc_method="\#(method)",grpc_code="ok"}"#) == 3)
    #expect(sample(text, #"grpc_server_handled_total{grpc_method="\#(method)",grpc_code="invalidArgument"}"#) == 2)
    #expect(sample(text, #"grpc_server_handled_total{grpc_method="crm.trust.v1.TrustService/GetReview",grpc_code="notFound"}"#) == 1)
    #expect(sample(text, #"grpc_server_handling_seconds_count{grpc_method="\#(method)"}"#) == 5)
    #expect((sample(text, "crm_store_size_bytes") ?? 0) > 0)
    #expect(sample(text, "crm_outbox_pending_events") == 0)
    #expect(await service.terminate() == 0)
  }
}
