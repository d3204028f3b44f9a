import Foundation
import GRDB

/// Opens a service's SQLite store the one way the suite does it.
public enum StoreOpener {
  /// Opens (creating if needed) the store at `path` as a WAL `DatabasePool` and runs the
  /// service's migrations.
  ///
  /// `synchronous=FULL` is applied after the pool is open because GRDB sets NORMAL when it
  /// turns WAL on, and NORMAL may lose the last transactions on power loss: an acknowledged
  /// write must survive. Foreign keys are on and a busy writer waits instead of failing.
  public static func openPool(path: String, migrator: DatabaseMigrator) throws -> DatabasePool {
    let directory = (path as NSString).deletingLastPathComponent
    if !directory.isEmpty {
      try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }
    let pool = try DatabasePool(path: path, configuration: configuration())
    try pool.writeWithoutTransaction { db in
      try db.execute(sql: "PRAGMA synchronous = FULL")
    }
    try migrator.migrate(pool)
    return pool
  }

  /// An in-memory store with the same configuration and migrations, for unit tests.
  public static func inMemory(migrator: DatabaseMigrator) throws -> DatabaseQueue {
    let queue = try DatabaseQueue(configuration: configuration())
    try migrator.migrate(queue)
    return queue
  }

  static func configuration() -> Configuration {
    var configuration = Configuration()
    configuration.foreignKeysEnabled = true
    configuration.busyMode = .timeout(5)
    configuration.journalMode = .wal
    return configuration
  }
}
