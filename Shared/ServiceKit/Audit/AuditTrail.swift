import Foundation
import GRDB

/// The `audit_record` table every service keeps in its own store, and the only queries on it.
///
/// The trail is append-only, and the store enforces it: triggers abort any UPDATE or DELETE,
/// so not even a bug in the service (or a hand-run statement) can rewrite what was recorded.
public enum AuditTrail {
  /// Adds the audit table to a service's migrations; call it after the service's own ones.
  public static func registerMigrations(_ migrator: inout DatabaseMigrator) {
    migrator.registerMigration("audit-trail-v1") { db in
      try db.create(table: AuditRecord.databaseTableName) { t in
        t.autoIncrementedPrimaryKey("seq")
        t.column("recorded_at", .datetime).notNull()
        t.column("identity", .text).notNull()
        t.column("method", .text).notNull()
        t.column("target_id", .text).notNull()
        t.column("request_id", .text).notNull()
        t.column("outcome", .text).notNull()
        t.column("detail", .text)
      }
      // Newest first is a backward walk of the primary key; with a filter, these make it the
      // same walk over the matching rows only, however long the trail grows.
      try db.create(index: "audit_record_method_seq", on: "audit_record", columns: ["method", "seq"])
      try db.create(
        index: "audit_record_identity_seq", on: "audit_record", columns: ["identity", "seq"])
      try db.execute(
        sql: """
          CREATE TRIGGER audit_record_no_update BEFORE UPDATE ON audit_record
          BEGIN SELECT RAISE(ABORT, 'audit_record is append-only: records are never updated'); END;
          CREATE TRIGGER audit_record_no_delete BEFORE DELETE ON audit_record
          BEGIN SELECT RAISE(ABORT, 'audit_record is append-only: records are never deleted'); END;
          """)
    }
  }

  // MARK: - Writes

  /// Appends `entry`, stamped `time`, inside the caller's transaction; returns its sequence
  /// number. Over-long fields are cut rather than refused: a record must never be lost.
  @discardableResult
  public static func append(_ entry: AuditEntry, at time: Date, in db: Database) throws -> Int64 {
    var record = AuditRecord(
      seq: nil,
      recordedAt: time,
      identity: String(entry.identity.prefix(AuditEntry.maxFieldLength)),
      method: String(entry.method.prefix(AuditEntry.maxFieldLength)),
      targetID: String(entry.targetID.prefix(AuditEntry.maxTargetIDLength)),
      requestID: String(entry.requestID.prefix(AuditEntry.maxFieldLength)),
      outcome: String(entry.outcome.prefix(AuditEntry.maxFieldLength)),
      detail: entry.detail.map { String($0.prefix(AuditEntry.maxDetailLength)) })
    try record.insert(db)
    return record.seq ?? db.lastInsertedRowID
  }

  // MARK: - Reads

  /// Up to `limit` records, newest first, older than `beforeSeq` when given, matching the
  /// non-empty filters.
  static func page(
    _ db: Database, method: String, identity: String, beforeSeq: Int64?, limit: Int
  ) throws -> [AuditRecord] {
    var request = AuditRecord.all()
    if !method.isEmpty { request = request.filter(AuditRecord.Columns.method == method) }
    if !identity.isEmpty { request = request.filter(AuditRecord.Columns.identity == identity) }
    if let beforeSeq { request = request.filter(AuditRecord.Columns.seq < beforeSeq) }
    return try request.order(AuditRecord.Columns.seq.desc).limit(limit).fetchAll(db)
  }
}

/// One row of `audit_record`.
struct AuditRecord: Codable, Equatable, FetchableRecord, MutablePersistableRecord {
  static let databaseTableName = "audit_record"

  var seq: Int64?
  var recordedAt: Date
  var identity: String
  var method: String
  var targetID: String
  var requestID: String
  var outcome: String
  var detail: String?

  enum CodingKeys: String, CodingKey {
    case seq
    case recordedAt = "recorded_at"
    case identity, method
    case targetID = "target_id"
    case requestID = "request_id"
    case outcome, detail
  }

  enum Columns {
    static let seq = Column(CodingKeys.seq)
    static let method = Column(CodingKeys.method)
    static let identity = Column(CodingKeys.identity)
  }

  mutating func didInsert(_ inserted: InsertionSuccess) {
    seq = inserted.rowID
  }
}
