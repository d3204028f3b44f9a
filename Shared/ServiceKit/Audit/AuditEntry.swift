import Foundation
import GRPCCore

/// One privileged call to put on the audit trail: who did what to which id, when, under which
/// request id, and how it ended.
public struct AuditEntry: Sendable, Equatable {
  /// Who called: the authenticated identity (token subject or certificate identity).
  public var identity: String
  /// The fully qualified method, as in `crm.ops.v1.StoreAdmin/BackupStore`.
  public var method: String
  /// The id the request was about (see ``AuditRecorder/targetID(of:)``); empty if none.
  public var targetID: String
  /// The call's `x-request-id`, which ties the record to the call's log lines.
  public var requestID: String
  /// The gRPC status the call ended with, by name: `ok`, `permissionDenied`, ...
  public var outcome: String
  /// More about the call or its failure (an error message), if any.
  public var detail: String?
  /// When the call completed; nil lets the recorder stamp it with its clock.
  public var time: Date?

  /// Creates an entry.
  public init(
    identity: String, method: String, targetID: String, requestID: String, outcome: String,
    detail: String? = nil, time: Date? = nil
  ) {
    self.identity = identity
    self.method = method
    self.targetID = targetID
    self.requestID = requestID
    self.outcome = outcome
    self.detail = detail
    self.time = time
  }

  /// The outcome name of a call that failed with `code`, or `ok` when `code` is nil.
  public static func outcome(of code: RPCError.Code?) -> String {
    code.map { String(describing: $0) } ?? "ok"
  }

  /// Longest target id kept, as ``AuditRecorder/targetID(of:)`` cuts it.
  public static let maxTargetIDLength = 128
  /// Longest identity, method, request id or outcome kept.
  static let maxFieldLength = 256
  /// Longest detail kept: enough for an error message, never a whole request body.
  static let maxDetailLength = 1024
}
