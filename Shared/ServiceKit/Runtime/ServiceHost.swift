import Contracts
import Foundation
import GRDB
import GRPCCore
import GRPCNIOTransportHTTP2
import Logging
import ServiceLifecycle
import Synchronization

/// Runs one service: its gRPC services plus health and reflection on HTTP/2, the store probe,
/// and graceful shutdown on SIGTERM/SIGINT.
///
/// On shutdown the service first reports NOT_SERVING (so load balancers stop sending), stops
/// accepting RPCs, lets in-flight ones finish within the grace period, then closes its store.
public struct ServiceHost: Sendable {
  private let environment: ServiceEnvironment
  private let components: ServiceComponents
  private let tokens: TokenVerifier?

  /// Creates a host for `components`, which the library built over `environment`; `tokens`
  /// verifies bearer tokens when they are accepted.
  public init(environment: ServiceEnvironment, components: ServiceComponents, tokens: TokenVerifier? = nil) {
    self.environment = environment
    self.components = components
    self.tokens = tokens
  }

  /// Serves until a shutdown signal; calls `onListening` once the port is bound.
  /// Throws ``StartupError`` when the server cannot listen.
  public func run(onListening: @escaping @Sendable (String) -> Void) async throws {
    let settings = environment.settings
    let logger = environment.logger
    let database = environment.database

    let board = environment.health
    let services = components.rpcServices + [
      StoreAdminService(
        database: database, dataDirectory: settings.dataDirectory, maxBackups: settings.security.maxBackups,
        logger: logger),
      AuditLogService(database: database),
    ]
    let probe: @Sendable () async -> Bool = {
      (try? await database.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM grdb_migrations") }) != nil
    }
    let health = HealthService(board: board, storeProbe: probe)
    // Reflection lists exactly what is registered: read the names off a router.
    var router = RPCRouter<HTTP2ServerTransport.Posix>()
    for service in services { service.registerMethods(with: &router) }
    let served = Set(router.methods.map(\.service.fullyQualifiedService))
    let reflection = try ReflectionService(
      serviceNames: Array(served) + [
        Grpc_Health_V1_Health.descriptor.fullyQualifiedService,
        Grpc_Reflection_V1_ServerReflection.descriptor.fullyQualifiedService,
        Grpc_Reflection_V1alpha_ServerReflection.descriptor.fullyQualifiedService,
      ])

    let security = settings.security
    let access = AccessInterceptor(
      service: settings.service, tokens: tokens,
      certificates: security.tlsClientCAFile == nil
        ? nil : try security.grantsFile.map { try CertificateGrants(contentsOf: $0) } ?? CertificateGrants(),
      reflection: security.reflectionAccess, limiter: RateLimiter(rates: security.rateLimits),
      audit: { [recorder = AuditRecorder(database: database, clock: environment.clock, logger: logger)] entry in
        await recorder.record(entry)
      },
      logger: logger)
    let server = GRPCServer(
      transport: .http2NIOPosix(
        address: Self.socketAddress(host: settings.host, port: settings.port),
        transportSecurity: try environment.credentials.serverSecurity(),
        config: .defaults { config in
          config.rpc.maxRequestPayloadSize = settings.maxRequestBytes
          config.http2.maxConcurrentStreams = settings.maxConcurrentStreams
          config.connection.keepalive = .init(
            time: .seconds(settings.keepaliveSeconds),
            timeout: .seconds(20),
            clientBehavior: .init(minPingIntervalWithoutCalls: .seconds(10), allowWithoutCalls: true)
          )
          // Idle: the transport sends GOAWAY when no RPC has run for this long.
          config.connection.maxIdleTime = .seconds(settings.security.idleTimeoutSeconds)
          // The transport has no handshake deadline, and answers an oversized request with a
          // stream reset instead of RESOURCE_EXHAUSTED: ConnectionLimits adds both.
          config.channelDebuggingCallbacks = ConnectionLimits(
            maxRequestBytes: settings.maxRequestBytes,
            handshakeTimeout: .seconds(settings.security.handshakeTimeoutSeconds),
            logger: logger
          ).callbacks
        }
      ),
      services: services + [health] + reflection.services,
      interceptors: [RequestLogInterceptor(logger: logger), access]
    )

    let phase = PhaseBox()
    let serverService = GRPCServerService(server: server, board: board, phase: phase, logger: logger) { address in
      logger.info("listening", metadata: ["address": "\(address)", "store": "\(settings.databasePath)"])
      onListening(address)
    }
    let probeService = StoreHealthProbe(board: board, phase: phase, probe: probe, logger: logger)

    var configuration = ServiceGroupConfiguration(
      // Shut down in reverse order: the server first, so it reports NOT_SERVING at once and
      // stops taking RPCs; then the background work; the store probe last.
      services: [.init(service: probeService)]
        + components.background.map { .init(service: $0) }
        + [.init(service: serverService)],
      gracefulShutdownSignals: [.sigterm, .sigint],
      logger: logger
    )
    configuration.maximumGracefulShutdownDuration = .seconds(settings.shutdownGraceSeconds)
    let group = ServiceGroup(configuration: configuration)

    do {
      try await group.run()
    } catch {
      if phase.current == .starting {
        throw StartupError(
          setting: "--port (CRM_PORT)",
          problem: "cannot listen on \(settings.host):\(settings.port): \(Self.describe(error))")
      }
      throw error
    }
    if let pool = database as? DatabasePool {
      try pool.close()
    }
    logger.info("stopped")
  }

  private static func socketAddress(host: String, port: Int) -> GRPCNIOTransportCore.SocketAddress {
    if host == "localhost" { return .ipv4(host: "127.0.0.1", port: port) }
    return host.contains(":") ? .ipv6(host: host, port: port) : .ipv4(host: host, port: port)
  }

  private static func describe(_ error: any Error) -> String {
    if let error = error as? RuntimeError, let cause = error.cause { return "\(cause)" }
    return "\(error)"
  }
}

/// Where a running service is in its life.
enum ServingPhase: Sendable {
  case starting, serving, stopping
}

/// The phase, shared by the server, the probe and the host.
final class PhaseBox: Sendable {
  private let phase = Mutex(ServingPhase.starting)

  var current: ServingPhase { phase.withLock { $0 } }

  /// Moves from starting to serving; false if shutdown began first.
  func markServing() -> Bool {
    phase.withLock { phase in
      guard phase == .starting else { return false }
      phase = .serving
      return true
    }
  }

  func markStopping() {
    phase.withLock { $0 = .stopping }
  }
}

/// The server could not start; the process prints it as one line and exits with status 2.
public struct StartupError: Error, CustomStringConvertible {
  /// The setting to change.
  public var setting: String
  /// What went wrong.
  public var problem: String
  /// One line.
  public var description: String { "\(setting): \(problem)" }
}

/// The gRPC server as a lifecycle service.
private struct GRPCServerService: Service {
  let server: GRPCServer<HTTP2ServerTransport.Posix>
  let board: HealthStatusBoard
  let phase: PhaseBox
  let logger: Logger
  let onListening: @Sendable (String) -> Void

  func run() async throws {
    try await withGracefulShutdownHandler {
      try await withThrowingDiscardingTaskGroup { group in
        group.addTask { try await server.serve() }
        guard let address = try await server.listeningAddress else {
          throw RPCError(code: .unavailable, message: "the transport has no address")
        }
        let text =
          if let ipv4 = address.ipv4 { "\(ipv4.host):\(ipv4.port)" }
          else if let ipv6 = address.ipv6 { "[\(ipv6.host)]:\(ipv6.port)" }
          else { "\(address)" }
        if phase.markServing() {
          board.setAll(.serving)
          onListening(text)
        }
      }
    } onGracefulShutdown: {
      phase.markStopping()
      board.setAll(.notServing)
      board.finishWatchers()
      logger.info("shutting down: finishing in-flight RPCs")
      server.beginGracefulShutdown()
    }
  }
}

/// Re-reads the store every few seconds and flips health to NOT_SERVING while it cannot be
/// read, so Watch-based probes notice without a Check.
private struct StoreHealthProbe: Service {
  let board: HealthStatusBoard
  let phase: PhaseBox
  let probe: @Sendable () async -> Bool
  let logger: Logger

  func run() async throws {
    var healthy = true
    while !Task.isShuttingDownGracefully && !Task.isCancelled {
      // The wait ends at once on shutdown, so it never holds the process up.
      try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(5)) }
      if Task.isShuttingDownGracefully { break }
      guard phase.current == .serving else { continue }
      let ok = await probe()
      if ok != healthy {
        healthy = ok
        logger.log(level: ok ? .info : .error, "store probe", metadata: ["readable": "\(ok)"])
        board.setAll(ok ? .serving : .notServing)
      }
    }
  }
}
