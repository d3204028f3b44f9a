import GRDB
import Logging

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

  /// Creates an environment.
  public init(settings: ServiceSettings, logger: Logger, clock: any WallClock, database: any DatabaseWriter) {
    self.settings = settings
    self.logger = logger
    self.clock = clock
    self.database = database
  }
}
