import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import ServiceLifecycle

/// A long-lived gRPC connection to another service of the suite, for synchronous reads.
///
/// Every call carries a deadline, and a peer that is down, slow or refusing connections comes
/// back as ``ServiceError/unavailable(_:)`` naming the peer: the caller either falls back (a
/// cached copy) or fails its own RPC clearly, never hangs. Run it as background work
/// (``ServiceComponents/background``) so its connections are opened and closed with the process.
public final class PeerClient: Service, Sendable {
  /// The service at the other end.
  public let peer: SuiteService
  /// Where it listens.
  public let address: PeerAddress
  /// Deadline of each call.
  public let timeout: Duration
  /// The underlying client; use ``call(_:_:)`` rather than calling it directly, so deadlines and
  /// error mapping apply.
  public let client: GRPCClient<HTTP2ClientTransport.Posix>

  /// Creates a client for `peer` at `address`; nothing connects until ``run()``.
  public init(
    peer: SuiteService, address: PeerAddress, timeout: Duration = .seconds(1),
    credentials: TransportCredentials = .plaintext
  ) throws {
    self.peer = peer
    self.address = address
    self.timeout = timeout
    self.client = GRPCClient(
      transport: try .http2NIOPosix(
        target: address.target,
        transportSecurity: credentials.clientSecurity(),
        config: .defaults { $0.backoff = .init(initial: .milliseconds(100), max: .seconds(5), multiplier: 1.6, jitter: 0.2) }),
      interceptors: credentials.clientInterceptors)
  }

  /// Creates a client for `peer` at its configured address, with the configured deadline and
  /// the service's own credentials.
  public convenience init(peer: SuiteService, environment: ServiceEnvironment) throws {
    let settings = environment.settings
    try self.init(
      peer: peer, address: settings.peers[peer] ?? PeerAddress(host: "127.0.0.1", port: peer.defaultPort),
      timeout: .milliseconds(settings.peerTimeoutMilliseconds), credentials: environment.credentials)
  }

  /// Keeps the connections until graceful shutdown.
  public func run() async throws {
    try await withGracefulShutdownHandler {
      try await client.runConnections()
    } onGracefulShutdown: {
      self.client.beginGracefulShutdown()
    }
  }

  /// Runs one call with this client's deadline. Transport failures and deadlines become
  /// UNAVAILABLE naming the peer; NOT_FOUND, INVALID_ARGUMENT and the other answers of the peer
  /// are passed on as ``ServiceError``s with the peer's message.
  public func call<Result: Sendable>(
    _ operation: String,
    _ body: (GRPCClient<HTTP2ClientTransport.Posix>, CallOptions) async throws -> Result
  ) async throws -> Result {
    var options = CallOptions.defaults
    options.timeout = timeout
    do {
      return try await body(client, options)
    } catch let error as RPCError {
      throw map(error, operation: operation)
    }
  }

  private func map(_ error: RPCError, operation: String) -> ServiceError {
    let origin = "\(peer.rawValue) (\(address)) \(operation)"
    switch error.code {
    case .notFound: return .notFound(error.message)
    case .invalidArgument: return .failedPrecondition("\(origin) refused the request: \(error.message)")
    case .alreadyExists: return .alreadyExists(error.message)
    case .failedPrecondition: return .failedPrecondition(error.message)
    case .resourceExhausted: return .unavailable("\(origin) is overloaded: \(error.message)")
    case .deadlineExceeded: return .unavailable("\(origin) did not answer within \(timeout)")
    default: return .unavailable("\(origin) failed: \(error.code): \(error.message)")
    }
  }
}
