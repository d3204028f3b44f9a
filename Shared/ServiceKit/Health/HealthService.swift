import Contracts
import GRPCCore

/// `grpc.health.v1.Health`: `Check` and `Watch`, per service name and for "" (the server).
///
/// `Check` also reads the store (through `storeProbe`) so that a service whose store cannot
/// be read answers NOT_SERVING even before the periodic probe notices.
public struct HealthService: Grpc_Health_V1_Health.SimpleServiceProtocol {
  private let board: HealthStatusBoard
  private let storeProbe: @Sendable () async -> Bool

  /// Creates the service over `board`; `storeProbe` returns whether the store can be read.
  public init(board: HealthStatusBoard, storeProbe: @escaping @Sendable () async -> Bool) {
    self.board = board
    self.storeProbe = storeProbe
  }

  public func check(
    request: Grpc_Health_V1_HealthCheckRequest,
    context: ServerContext
  ) async throws -> Grpc_Health_V1_HealthCheckResponse {
    guard let status = board.status(of: request.service) else {
      throw RPCError(code: .notFound, message: "unknown service \(FieldValidation.quoted(request.service))")
    }
    var response = Grpc_Health_V1_HealthCheckResponse()
    response.status = status
    if status == .serving, await !storeProbe() {
      response.status = .notServing
    }
    return response
  }

  public func watch(
    request: Grpc_Health_V1_HealthCheckRequest,
    response: RPCWriter<Grpc_Health_V1_HealthCheckResponse>,
    context: ServerContext
  ) async throws {
    let (updates, stop) = board.watch(request.service)
    // A watcher that went away would otherwise wait for the next change to notice: end the
    // stream as soon as gRPC cancels the RPC (peer gone, deadline, server shutting down).
    try await withRPCCancellationHandler {
      for await status in updates {
        var message = Grpc_Health_V1_HealthCheckResponse()
        message.status = status
        try await response.write(message)
      }
    } onCancelRPC: {
      stop()
    }
  }
}
