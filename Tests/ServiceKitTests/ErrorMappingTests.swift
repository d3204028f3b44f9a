import Contracts
import Foundation
import GRDB
import GRPCCore
import GRPCProtobuf
import ServiceKitTesting
import Testing

@testable import ServiceKit

@Suite("Error mapping: every error reaches the caller with a deliberate status")
struct ErrorMappingTests {
  @Test(
    "each ServiceError has its status code",
    arguments: [
      (ServiceError.invalidArgument(field: "customer.email", reason: "bad"), RPCError.Code.invalidArgument),
      (.notFound("customer x"), .notFound),
      (.alreadyExists("dup"), .alreadyExists),
      (.failedPrecondition("cancelled"), .failedPrecondition),
      (.resourceExhausted("stock"), .resourceExhausted),
      (.unavailable("peer down"), .unavailable),
      (.internalError("bug"), .internalError),
    ])
  func serviceErrors(error: ServiceError, code: RPCError.Code) {
    let (mapped, expected) = RPCErrorMapping.rpcError(for: error)
    #expect(mapped.code == code)
    #expect(expected)
  }

  @Test("store errors: busy is UNAVAILABLE, full is RESOURCE_EXHAUSTED, others INTERNAL")
  func databaseErrors() {
    #expect(RPCErrorMapping.rpcError(for: DatabaseError(resultCode: .SQLITE_BUSY)).error.code == .unavailable)
    #expect(RPCErrorMapping.rpcError(for: DatabaseError(resultCode: .SQLITE_FULL)).error.code == .resourceExhausted)
    #expect(RPCErrorMapping.rpcError(for: DatabaseError(resultCode: .SQLITE_CORRUPT)).error.code == .internalError)
  }

  @Test("a stray error is INTERNAL, never UNKNOWN")
  func strayError() {
    struct Surprise: Error {}
    let (mapped, expected) = RPCErrorMapping.rpcError(for: Surprise())
    #expect(mapped.code == .internalError)
    #expect(!expected)
  }

  @Test("through the wire: INVALID_ARGUMENT names the field and carries a BadRequest detail")
  func invalidArgumentOverTheWire() async throws {
    let service = FailingHealth(error: ServiceError.invalidArgument(field: "service", reason: "too long"))
    try await withInProcessServer([service]) { client in
      let health = Grpc_Health_V1_Health.Client(wrapping: client)
      let error = await #expect(throws: RPCError.self) { try await health.check(.init()) }
      #expect(error?.code == .invalidArgument)
      #expect(error?.message.hasPrefix("service:") == true)
      let status = try error?.unpackGoogleRPCStatus()
      let badRequest = status?.details.compactMap(\.badRequest).first
      #expect(badRequest?.violations.first?.field == "service")
    }
  }

  @Test("through the wire: a stray error reaches the caller as INTERNAL, with a request id")
  func strayErrorOverTheWire() async throws {
    struct Surprise: Error {}
    try await withInProcessServer([FailingHealth(error: Surprise())]) { client in
      let health = Grpc_Health_V1_Health.Client(wrapping: client)
      let error = await #expect(throws: RPCError.self) {
        try await health.check(.init(), metadata: ["x-request-id": "req-42"])
      }
      #expect(error?.code == .internalError)
      #expect(error?.metadata[stringValues: "x-request-id"].first(where: { _ in true }) == "req-42")
    }
  }

  @Test("through the wire: a streaming handler's error is mapped as well")
  func streamingErrorOverTheWire() async throws {
    try await withInProcessServer([FailingHealth(error: DatabaseError(resultCode: .SQLITE_BUSY))]) { client in
      let health = Grpc_Health_V1_Health.Client(wrapping: client)
      let error = await #expect(throws: RPCError.self) {
        try await health.watch(.init()) { response in
          for try await _ in response.messages {}
        }
      }
      #expect(error?.code == .unavailable)
    }
  }
}

/// A health service whose every call fails with `error`: a handler to throw from.
private struct FailingHealth: Grpc_Health_V1_Health.SimpleServiceProtocol {
  let error: any Error & Sendable

  func check(request: Grpc_Health_V1_HealthCheckRequest, context: ServerContext) async throws
    -> Grpc_Health_V1_HealthCheckResponse
  {
    throw error
  }

  func watch(
    request: Grpc_Health_V1_HealthCheckRequest,
    response: RPCWriter<Grpc_Health_V1_HealthCheckResponse>,
    context: ServerContext
  ) async throws {
    throw error
  }
}
