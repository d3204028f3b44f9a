import GRPCCore
import GRPCInProcessTransport
import Logging
import ServiceKit

/// Runs `services` behind the production interceptors on an in-process transport and hands
/// `body` a client connected to them; everything is torn down when `body` returns.
public func withInProcessServer<Result: Sendable>(
  _ services: [any RegistrableRPCService],
  logger: Logger = Logger(label: "test"),
  body: (GRPCClient<InProcessTransport.Client>) async throws -> Result
) async throws -> Result {
  let transport = InProcessTransport()
  let server = GRPCServer(
    transport: transport.server,
    services: services,
    interceptors: [RequestLogInterceptor(logger: logger)]
  )
  return try await withThrowingTaskGroup(of: Void.self) { group in
    group.addTask { try await server.serve() }
    defer {
      server.beginGracefulShutdown()
    }
    return try await withGRPCClient(transport: transport.client) { client in
      try await body(client)
    }
  }
}
