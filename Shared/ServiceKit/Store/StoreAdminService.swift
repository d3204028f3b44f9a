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
public struct StoreAdminService: Crm_Ops_V1_StoreAdmin.SimpleServiceProtocol {
  private let database: any DatabaseWriter
  private let backupDirectory: URL
  private let logger: Logger

  /// Creates the service; backups go to `<dataDirectory>/backups`.
  public init(database: any DatabaseWriter, dataDirectory: String, logger: Logger) {
    self.database = database
    self.backupDirectory = URL(fileURLWithPath: dataDirectory).appendingPathComponent("backups")
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
      throw ServiceError.alreadyExists("backup \(fileName) already exists")
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
    return .with {
      $0.path = destination.path
      $0.sizeBytes = Int64(size)
      $0.durationSeconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
  }
}
