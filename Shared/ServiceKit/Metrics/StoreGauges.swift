import Foundation
import GRDB
import Metrics
import ServiceLifecycle

/// Publishes the store's size and the outbox backlog as gauges, refreshed periodically
/// (reading them is too slow to do on every scrape of a large store).
public struct StoreGauges: Service {
  private let database: any DatabaseWriter
  private let path: String
  private let interval: Duration

  /// Creates the publisher for the store at `path`.
  public init(database: any DatabaseWriter, path: String, interval: Duration = .seconds(10)) {
    self.database = database
    self.path = path
    self.interval = interval
  }

  public func run() async throws {
    let size = Gauge(label: "crm_store_size_bytes")
    let pending = Gauge(label: "crm_outbox_pending_events")
    while !Task.isShuttingDownGracefully && !Task.isCancelled {
      let files = [path, path + "-wal"].compactMap {
        (try? FileManager.default.attributesOfItem(atPath: $0)[.size]) as? Int
      }
      size.record(files.reduce(0, +))
      let backlog = try? await database.read { db -> Int in
        guard try db.tableExists("outbox_event") else { return 0 }
        return try Int.fetchOne(db, sql: "SELECT count(*) FROM outbox_event WHERE state = 0") ?? 0
      }
      pending.record(backlog ?? 0)
      try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
    }
  }
}
