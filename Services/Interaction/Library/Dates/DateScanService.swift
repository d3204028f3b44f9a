import Foundation
import GRDB
import Logging
import ServiceKit
import ServiceLifecycle

/// Runs the birthday and anniversary scan every `interval` until shutdown (the scan is
/// once-per-year per date, so running it often only catches up sooner after downtime).
public struct DateScanService: Service {
  private let database: any DatabaseWriter
  private let clock: any WallClock
  private let interval: Duration
  private let logger: Logger

  /// Creates the scanner; `interval` is the pause between two scans.
  public init(database: any DatabaseWriter, clock: any WallClock, interval: Duration, logger: Logger) {
    self.database = database
    self.clock = clock
    self.interval = interval
    self.logger = logger
  }

  public func run() async throws {
    while !Task.isShuttingDownGracefully && !Task.isCancelled {
      do {
        let now = clock.now()
        let created = try await DateScan.run(database, at: now, now: now)
        if created.moments > 0 {
          logger.info("date scan created moments", metadata: ["moments": "\(created.moments)", "tasks": "\(created.tasks)"])
        }
      } catch {
        logger.error("date scan failed", metadata: ["error": "\(error)"])
      }
      try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
    }
  }
}
