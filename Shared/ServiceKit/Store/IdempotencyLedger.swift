import Foundation
import GRDB
import SwiftProtobuf

/// Makes a write safe to repeat: the outcome of each (scope, key) is stored in the same
/// transaction as the write itself, so a retry after a timeout, a crash or a lost response
/// gets the first outcome back instead of writing twice.
///
/// - The same key with the same request replays the stored response.
/// - The same key with another request is ALREADY_EXISTS and writes nothing.
/// - A failure that depended on state (NOT_FOUND, FAILED_PRECONDITION, ALREADY_EXISTS,
///   RESOURCE_EXHAUSTED) is stored and replayed as the same failure; INVALID_ARGUMENT and
///   transient failures (store busy) are not stored.
public enum IdempotencyLedger {
  /// Adds the ledger's table to a service's migrations; call once, in migration order.
  public static func registerMigration(_ migrator: inout DatabaseMigrator) {
    migrator.registerMigration("idempotency-ledger-v1") { db in
      try db.create(table: "idempotency_record") { t in
        t.column("scope", .text).notNull()
        t.column("key", .text).notNull()
        t.column("request", .blob).notNull()
        t.column("response", .blob)
        t.column("error", .blob)
        t.column("created_at", .datetime).notNull()
        t.primaryKey(["scope", "key"])
      }
    }
  }

  /// Validates an idempotency key; nil when it is empty (the caller chose not to send one).
  public static func validatedKey(_ key: String, field: String) throws(ServiceError) -> String? {
    if key.isEmpty { return nil }
    guard key.count <= 128, key.allSatisfy({ $0.isASCII && !$0.isWhitespace && !$0.isNewline }) else {
      throw .invalidArgument(field: field, reason: "must be 1 to 128 printable ASCII characters")
    }
    return key
  }

  /// Validates a key the RPC cannot do without (writes that must never apply twice).
  public static func requiredKey(_ key: String, field: String, action: String) throws(ServiceError) -> String {
    guard let key = try validatedKey(key, field: field) else {
      throw .invalidArgument(field: field, reason: "is required: \(action) is never applied twice")
    }
    return key
  }

  /// Runs `body` once per (scope, key) inside the caller's write transaction.
  ///
  /// Returns the stored or fresh outcome; domain failures come back as `.failure` rather
  /// than thrown, so the transaction still commits the record of the failure. With a nil key
  /// `body` simply runs.
  public static func run<Request: Message, Response: Message>(
    _ db: Database,
    scope: String,
    key: String?,
    request: Request,
    now: Date,
    body: (Database) throws -> Response
  ) throws -> Result<Response, ServiceError> {
    guard let key else { return try runAtomically(db, body) }
    let requestBytes: Data = try request.serializedBytes(options: deterministic)
    // Cached statements: every idempotent write runs these two, and compiling them each time
    // cost more than running them.
    if let row = try Row.fetchOne(
      db.cachedStatement(
        sql: "SELECT request, response, error FROM idempotency_record WHERE scope = ? AND key = ?"),
      arguments: [scope, key])
    {
      guard (row["request"] as Data) == requestBytes else {
        throw ServiceError.alreadyExists("idempotency key \(FieldValidation.quoted(key)) was already used with a different request")
      }
      if let response = row["response"] as Data? {
        return .success(try Response(serializedBytes: response))
      }
      let stored = try StoredFailure.decode(row["error"] as Data)
      return .failure(stored)
    }

    let outcome = try runAtomically(db, body)
    switch outcome {
    case .success(let response):
      let bytes: Data = try response.serializedBytes(options: deterministic)
      try db.cachedStatement(
        sql: "INSERT INTO idempotency_record (scope, key, request, response, created_at) VALUES (?, ?, ?, ?, ?)"
      ).execute(arguments: [scope, key, requestBytes, bytes, now])
    case .failure(let error) where error.dependsOnState:
      try db.execute(
        sql: "INSERT INTO idempotency_record (scope, key, request, error, created_at) VALUES (?, ?, ?, ?, ?)",
        arguments: [scope, key, requestBytes, try StoredFailure.encode(error), now])
    case .failure:
      // A malformed request is not recorded: the same bytes fail the same way anyway, and a
      // check that looked at the store (an unknown category) may pass once the store changes.
      break
    }
    return outcome
  }

  /// Runs `body` in a savepoint: a domain failure undoes whatever it wrote and comes back as
  /// `.failure`; any other error is thrown and rolls back the caller's transaction.
  public static func runAtomically<Response>(
    _ db: Database, _ body: (Database) throws -> Response
  ) throws -> Result<Response, ServiceError> {
    var outcome: Result<Response, ServiceError>?
    try db.inSavepoint {
      do {
        outcome = .success(try body(db))
        return .commit
      } catch let error as ServiceError where !error.isTransient {
        outcome = .failure(error)
        return .rollback
      }
    }
    return outcome!
  }

  private static let deterministic: BinaryEncodingOptions = {
    var options = BinaryEncodingOptions()
    options.useDeterministicOrdering = true
    return options
  }()
}

/// A domain failure as the ledger keeps it.
private struct StoredFailure: Codable {
  var kind: String
  var field: String?
  var message: String

  static func encode(_ error: ServiceError) throws -> Data {
    let stored: StoredFailure
    switch error {
    case .invalidArgument(let field, let reason): stored = .init(kind: "invalid_argument", field: field, message: reason)
    case .notFound(let m): stored = .init(kind: "not_found", message: m)
    case .alreadyExists(let m): stored = .init(kind: "already_exists", message: m)
    case .failedPrecondition(let m): stored = .init(kind: "failed_precondition", message: m)
    case .resourceExhausted(let m): stored = .init(kind: "resource_exhausted", message: m)
    case .unavailable(let m): stored = .init(kind: "unavailable", message: m)
    case .internalError(let m): stored = .init(kind: "internal", message: m)
    }
    return try JSONEncoder().encode(stored)
  }

  static func decode(_ data: Data) throws -> ServiceError {
    let stored = try JSONDecoder().decode(StoredFailure.self, from: data)
    switch stored.kind {
    case "invalid_argument": return .invalidArgument(field: stored.field ?? "", reason: stored.message)
    case "not_found": return .notFound(stored.message)
    case "already_exists": return .alreadyExists(stored.message)
    case "failed_precondition": return .failedPrecondition(stored.message)
    case "resource_exhausted": return .resourceExhausted(stored.message)
    case "unavailable": return .unavailable(stored.message)
    default: return .internalError(stored.message)
    }
  }
}
