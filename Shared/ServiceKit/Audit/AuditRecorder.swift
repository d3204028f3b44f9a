import Foundation
import GRDB
import Logging

/// Appends audit records to the service's store; what the authorization interceptor calls
/// after each privileged RPC.
///
/// Each record is its own write transaction, committed whatever the call's outcome (a refused
/// or failed call is audited too). Recording never throws: the call it describes has already
/// happened, so a failure to write is logged at error level for operators to act on instead.
public struct AuditRecorder: Sendable {
  private let database: any DatabaseWriter
  private let clock: any WallClock
  private let logger: Logger

  /// Creates a recorder writing to `database`, stamping entries that carry no time with `clock`.
  public init(database: any DatabaseWriter, clock: any WallClock, logger: Logger) {
    self.database = database
    self.clock = clock
    self.logger = logger
  }

  /// Appends `entry` to the trail and logs it; logs an error if the store refuses it.
  public func record(_ entry: AuditEntry) async {
    let time = entry.time ?? clock.now()
    var metadata: Logger.Metadata = [
      "audit-method": "\(entry.method)",
      "audit-identity": "\(entry.identity)",
      "audit-target": "\(entry.targetID)",
      "audit-request-id": "\(entry.requestID)",
      "audit-outcome": "\(entry.outcome)",
    ]
    do {
      let seq = try await database.write { db in try AuditTrail.append(entry, at: time, in: db) }
      metadata["audit-seq"] = "\(seq)"
      logger.info("audit record appended", metadata: metadata)
    } catch {
      metadata["error"] = "\(error)"
      logger.error("audit record could not be written", metadata: metadata)
    }
  }
}
