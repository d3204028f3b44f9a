import ArgumentParser
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2

/// Runs `body` with a plaintext HTTP/2 client connected to `address` (host:port).
func withBenchClient<T: Sendable>(
  _ address: String,
  _ body: @Sendable (GRPCClient<HTTP2ClientTransport.Posix>) async throws -> T
) async throws -> T {
  let parts = address.split(separator: ":")
  guard parts.count == 2, let port = Int(parts[1]) else {
    throw ValidationError("--addr must be host:port, not \(address)")
  }
  return try await withGRPCClient(
    transport: .http2NIOPosix(target: .dns(host: String(parts[0]), port: port), transportSecurity: .plaintext)
  ) { client in
    try await body(client)
  }
}

/// Seconds since `start` on the continuous clock.
func secondsSince(_ start: ContinuousClock.Instant) -> Double {
  let elapsed = ContinuousClock.now - start
  return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
}
