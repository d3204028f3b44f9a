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
    // A store a newer version has migrated further is not ours to write: refusing to start
    // is what makes a rollback safe (restore the backup taken before the upgrade).
    if try pool.read(migrator.hasBeenSuperseded) {
      let unknown = try pool.read { db in
        try migrator.appliedIdentifiers(db).subtracting(migrator.migrations).sorted()
      }
      try pool.close()
      throw StoreVersionError(unknownMigrations: unknown)
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

/// The store was migrated by a newer version of the service than this one.
public struct StoreVersionError: Error, CustomStringConvertible {
  /// The migrations the store has that this version does not know.
  public var unknownMigrations: [String]
  /// One line for the start-up error.
  public var description: String {
    "the store was written by a newer version (unknown migrations: \(unknownMigrations.joined(separator: ", "))); run that version or restore a backup"
  }
}
