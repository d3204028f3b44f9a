import Contracts
import Foundation
import GRDB
import GRPCCore
import Logging

/// `crm.ops.v1.StoreAdmin`: online backup of the service's store.
///
/// The copy is taken with SQLite's backup API inside one read transaction, so it is a
/// consistent snapshot that includes every write committed before the call, while writers
/// go on (WAL). It is written to a temporary file, checked, and renamed into place, so a
/// backup that exists is a complete one.
///
/// At most `maxBackups` copies are kept: after each backup the oldest `.sqlite` files in the
/// folder beyond that number are removed, so repeated backups cannot fill the disk.
public struct StoreAdminService: Crm_Ops_V1_StoreAdmin.SimpleServiceProtocol {
  private let database: any DatabaseWriter
  private let backupDirectory: URL
  private let maxBackups: Int
  private let logger: Logger

  /// Creates the service; backups go to `<dataDirectory>/backups`, of which the newest
  /// `maxBackups` (at least the one just taken) are kept.
  public init(database: any DatabaseWriter, dataDirectory: String, maxBackups: Int = 10, logger: Logger) {
    self.database = database
    self.backupDirectory = URL(fileURLWithPath: dataDirectory).appendingPathComponent("backups")
    self.maxBackups = max(1, maxBackups)
    self.logger = logger
  }

  public func backupStore(
    request: Crm_Ops_V1_BackupStoreRequest,
    context: ServerContext
  ) async throws -> Crm_Ops_V1_BackupStoreResponse {
    let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
    guard (1...100).contains(request.name.count), request.name.allSatisfy(allowed.contains),
      !request.name.hasPrefix(".")
    else {
      throw ServiceError.invalidArgument(
        field: "name", reason: "must be 1 to 100 of A-Z a-z 0-9 . _ - and not start with a dot")
    }
    let fileName = request.name.hasSuffix(".sqlite") ? request.name : request.name + ".sqlite"
    let destination = backupDirectory.appendingPathComponent(fileName)
    let manager = FileManager.default
    try manager.createDirectory(at: backupDirectory, withIntermediateDirectories: true)
    guard !manager.fileExists(atPath: destination.path) else {
      throw ServiceError.alreadyExists("backup \(FieldValidation.quoted(fileName)) already exists")
    }

    let started = ContinuousClock.now
    let temporary = backupDirectory.appendingPathComponent(".\(fileName).\(UUID().uuidString).partial")
    defer { try? manager.removeItem(at: temporary) }
    let database = self.database
    try await Task.detached {
      let copy = try DatabaseQueue(path: temporary.path)
      try database.backup(to: copy)
      let check = try copy.read { try String.fetchOne($0, sql: "PRAGMA quick_check") }
      try copy.close()
      guard check == "ok" else { throw ServiceError.internalError("the copy failed its integrity check") }
    }.value
    try manager.moveItem(at: temporary, to: destination)

    let elapsed = ContinuousClock.now - started
    let size = (try? manager.attributesOfItem(atPath: destination.path)[.size] as? Int) ?? 0
    logger.info("store backed up", metadata: ["path": "\(destination.path)", "bytes": "\(size)"])
    removeOldBackups(keeping: destination)
    return .with {
      $0.path = destination.path
      $0.sizeBytes = Int64(size)
      $0.durationSeconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
  }

  /// Removes the oldest backups beyond ``maxBackups``, never `newest`. A file that cannot be
  /// removed is logged and left: the backup itself succeeded.
  private func removeOldBackups(keeping newest: URL) {
    let manager = FileManager.default
    guard
      let files = try? manager.contentsOfDirectory(
        at: backupDirectory, includingPropertiesForKeys: [.contentModificationDateKey], options: [.skipsHiddenFiles])
    else { return }
    // Newest first: by modification time (when the copy was written), then by name.
    let backups =
      files
      .filter { $0.pathExtension == "sqlite" && $0.lastPathComponent != newest.lastPathComponent }
      .map { url in
        (url, (try? url.resourceValues(forKeys: [.contentModificationDateKey]).contentModificationDate) ?? .distantPast)
      }
      .sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0.lastPathComponent > $1.0.lastPathComponent }
    for (url, _) in backups.dropFirst(maxBackups - 1) {
      do {
        try manager.removeItem(at: url)
        logger.info("old backup removed", metadata: ["path": "\(url.path)", "kept": "\(maxBackups)"])
      } catch {
        logger.warning("old backup not removed", metadata: ["path": "\(url.path)", "error": "\(error)"])
      }
    }
  }
}
