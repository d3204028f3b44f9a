import GRDB
import GRPCCore
import Logging
import ServiceLifecycle

/// What the runtime hands a service's library when it builds its gRPC services.
public struct ServiceEnvironment: Sendable {
  /// The resolved settings.
  public let settings: ServiceSettings
  /// The service's logger.
  public let logger: Logger
  /// The clock every time-based rule reads.
  public let clock: any WallClock
  /// The service's own store, migrated.
  public let database: any DatabaseWriter
  /// The serving status the health service reports; background work may add names to it.
  public let health: HealthStatusBoard
  /// TLS and the bearer token for the listener and for calls to other services.
  public let credentials: TransportCredentials

  /// Creates an environment.
  public init(
    settings: ServiceSettings, logger: Logger, clock: any WallClock, database: any DatabaseWriter,
    health: HealthStatusBoard, credentials: TransportCredentials = .plaintext
  ) {
    self.credentials = credentials
    self.settings = settings
    self.logger = logger
    self.clock = clock
    self.database = database
    self.health = health
  }
}

/// What a service's library hands the runtime: its gRPC services and the background work
/// (outbox relay, periodic scans) that runs beside them and stops after them.
public struct ServiceComponents: Sendable {
  /// The gRPC services to serve (health and reflection are added by the runtime).
  public var rpcServices: [any RegistrableRPCService]
  /// Long-running work, shut down after the server on SIGTERM.
  public var background: [any Service]

  /// Creates the components.
  public init(rpcServices: [any RegistrableRPCService], background: [any Service] = []) {
    self.rpcServices = rpcServices
    self.background = background
  }
}
