import Benchmark
import Contracts
import Foundation
import SwiftProtobuf

/// Binary encode and decode of the largest messages (what every RPC pays twice), and JSON
/// for the customer page (the `crm` command's output and the HTTP/JSON a user may put in front).
enum ProtobufBenchmarks {
  static func register() {
    binary("GetCustomerResponse (1 profile)", ProtobufSamples.customerProfile)
    binary("ListCustomersResponse (100 profiles)", ProtobufSamples.customerPage)
    binary("ExportCustomerResponse (120 orders, history)", ProtobufSamples.customerExport)
    binary("GetTierReportResponse (6 tiers, 42 movements)", ProtobufSamples.tierReport)
    binary("ListLedgerEntriesResponse (100 entries)", ProtobufSamples.ledgerPage)
    binary("ListReviewsResponse (100 reviews)", ProtobufSamples.reviewPage)
    json("ListCustomersResponse (100 profiles)", ProtobufSamples.customerPage)
  }

  private static func binary<M: Message & Equatable>(_ name: String, _ message: M) {
    let bytes: [UInt8] = (try? message.serializedBytes()) ?? []
    precondition((try? M(serializedBytes: bytes)) == message, "\(name) does not round-trip")
    Benchmark(
      "Protobuf: encode \(name), \(bytes.count) bytes", configuration: configuration(bytes.count),
      closure: { benchmark in
        for _ in benchmark.scaledIterations {
          blackHole(try message.serializedBytes() as [UInt8])
        }
      })
    Benchmark(
      "Protobuf: decode \(name), \(bytes.count) bytes", configuration: configuration(bytes.count),
      closure: { benchmark in
        for _ in benchmark.scaledIterations {
          blackHole(try M(serializedBytes: bytes))
        }
      })
  }

  private static func json<M: Message & Equatable>(_ name: String, _ message: M) {
    let text: [UInt8] = (try? message.jsonUTF8Bytes()) ?? []
    precondition((try? M(jsonUTF8Bytes: text)) == message, "\(name) does not round-trip as JSON")
    Benchmark(
      "Protobuf: JSON encode \(name), \(text.count) bytes",
      configuration: configuration(text.count),
      closure: { benchmark in
        for _ in benchmark.scaledIterations {
          blackHole(try message.jsonUTF8Bytes() as [UInt8])
        }
      })
    Benchmark(
      "Protobuf: JSON decode \(name), \(text.count) bytes",
      configuration: configuration(text.count),
      closure: { benchmark in
        for _ in benchmark.scaledIterations {
          blackHole(try M(jsonUTF8Bytes: text))
        }
      })
  }

  /// Small messages run 1,000 times per sample so the clock's cost stays out of the figure.
  private static func configuration(_ size: Int) -> Benchmark.Configuration {
    size < 4_096 ? HotPathsConfiguration.scaled(.kilo) : HotPathsConfiguration.standard
  }
}
