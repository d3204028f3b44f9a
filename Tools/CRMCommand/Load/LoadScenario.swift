import Contracts
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import SwiftProtobuf

/// The client a scenario drives: one HTTP/2 connection to the target.
typealias LoadClient = GRPCClient<HTTP2ClientTransport.Posix>

/// One kind of request a scenario sends, with its share of the mix.
struct LoadOperation: Sendable {
  let name: String
  let weight: Int
  /// Sends request number `sequence`; throws the RPC's error when it is not OK.
  let send: @Sendable (LoadClient, _ sequence: Int, _ options: CallOptions) async throws -> Void
}

/// What a load run sends: a setup (the data the operations read) and a weighted mix.
struct LoadScenario: Sendable {
  let name: String
  let summary: String
  let setup: @Sendable (LoadClient) async throws -> Void
  let operations: [LoadOperation]

  /// Picks the operation for request `sequence` by weight (deterministic: the same sequence, the same operation).
  func operation(for sequence: Int) -> LoadOperation {
    let total = operations.reduce(0) { $0 + $1.weight }
    var slot = Int(UInt64(truncatingIfNeeded: sequence &* 2_654_435_761) % UInt64(total))
    for operation in operations {
      if slot < operation.weight { return operation }
      slot -= operation.weight
    }
    return operations[0]
  }

  /// Restricts the mix to the named operations with new weights (from `--mix get=9,record=1`).
  func mixed(_ weights: [String: Int]) throws -> LoadScenario {
    let chosen = try weights.map { name, weight in
      guard let operation = operations.first(where: { $0.name == name }) else {
        throw LoadError("scenario \(self.name) has no operation '\(name)'; it has \(operations.map(\.name).joined(separator: ", "))")
      }
      return LoadOperation(name: name, weight: weight, send: operation.send)
    }
    return LoadScenario(name: name, summary: summary + " (custom mix)", setup: setup, operations: chosen.sorted { $0.name < $1.name })
  }
}

struct LoadError: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}
