import ArgumentParser
import Contracts
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import ServiceKit
import SwiftProtobuf

/// Calls one method and prints its answer, or its status on stderr with the status as exit code.
enum RPCInvocation {
  static func run(
    _ method: any RPCMethodInfo, requestJSON: String, at address: PeerAddress, security: ClientSecurity,
    timeout: Double, json: Bool
  ) async throws {
    var options = CallOptions.defaults
    options.timeout = .milliseconds(Int64(timeout * 1000))
    let outcome: Result<String, any Error>
    do {
      let response = try await security.withClient(to: address) { client in
        try await method.call(client, requestJSON: requestJSON, options: options)
      }
      outcome = .success(response)
    } catch {
      outcome = .failure(error)
    }
    switch outcome {
    case .success(let response):
      print(json ? response : ResponseTable.render(json: response))
    case .failure(let error as RPCError):
      FileHandle.standardError.write(Data("\(StatusNames.name(error.code)): \(error.message)\n".utf8))
      throw ExitCode(Int32(error.code.rawValue))
    case .failure(let error as SwiftProtobuf.JSONDecodingError):
      FileHandle.standardError.write(Data("INVALID_ARGUMENT: request body: \(error)\n".utf8))
      throw ExitCode(Int32(RPCError.Code.invalidArgument.rawValue))
    case .failure(let error):
      throw error
    }
  }
}

/// gRPC status names as the gRPC documentation spells them.
enum StatusNames {
  static func name(_ code: RPCError.Code) -> String {
    switch code {
    case .cancelled: "CANCELLED"
    case .unknown: "UNKNOWN"
    case .invalidArgument: "INVALID_ARGUMENT"
    case .deadlineExceeded: "DEADLINE_EXCEEDED"
    case .notFound: "NOT_FOUND"
    case .alreadyExists: "ALREADY_EXISTS"
    case .permissionDenied: "PERMISSION_DENIED"
    case .resourceExhausted: "RESOURCE_EXHAUSTED"
    case .failedPrecondition: "FAILED_PRECONDITION"
    case .aborted: "ABORTED"
    case .outOfRange: "OUT_OF_RANGE"
    case .unimplemented: "UNIMPLEMENTED"
    case .internalError: "INTERNAL"
    case .unavailable: "UNAVAILABLE"
    case .dataLoss: "DATA_LOSS"
    case .unauthenticated: "UNAUTHENTICATED"
    default: "\(code)"
    }
  }
}
