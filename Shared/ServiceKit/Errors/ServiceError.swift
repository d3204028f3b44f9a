import GRPCCore
import GRPCProtobuf

/// A failure a service reports to its caller, with the status code the caller should act on.
///
/// Every domain error in the suite is (or converts to) one of these, so that nothing reaches a
/// caller as UNKNOWN. INVALID_ARGUMENT carries a `google.rpc.BadRequest` detail naming the
/// field, so clients can point at it without parsing the message.
public enum ServiceError: Error, Hashable, Sendable {
  /// The request itself is unusable: `field` is the proto field path (e.g. `customer.email`).
  case invalidArgument(field: String, reason: String)
  /// The named thing does not exist (e.g. `customer 3f2a...`).
  case notFound(String)
  /// The thing exists already, or an idempotency key was reused with another body.
  case alreadyExists(String)
  /// The current state forbids the call (e.g. completing a cancelled task).
  case failedPrecondition(String)
  /// A limit was reached (quota, stock, store full).
  case resourceExhausted(String)
  /// A dependency (peer service, busy store) cannot answer now; retrying later may work.
  case unavailable(String)
  /// A bug or a broken invariant; the message is safe to show, the details are in the log.
  case internalError(String)

  /// Whether the failure came from the state of the store rather than from the request or
  /// the moment: what an idempotency key replays.
  public var dependsOnState: Bool {
    switch self {
    case .notFound, .alreadyExists, .failedPrecondition, .resourceExhausted: true
    case .invalidArgument, .unavailable, .internalError: false
    }
  }

  /// Whether a retry with the same request could succeed (the state-dependent failures are
  /// not transient: they replay as the same failure under an idempotency key).
  public var isTransient: Bool {
    switch self {
    case .unavailable, .internalError: true
    default: false
    }
  }
}

extension ServiceError: RPCErrorConvertible {
  /// The gRPC status code for this error.
  public var rpcErrorCode: RPCError.Code {
    switch self {
    case .invalidArgument: .invalidArgument
    case .notFound: .notFound
    case .alreadyExists: .alreadyExists
    case .failedPrecondition: .failedPrecondition
    case .resourceExhausted: .resourceExhausted
    case .unavailable: .unavailable
    case .internalError: .internalError
    }
  }

  /// The status message; for INVALID_ARGUMENT it starts with the field's name. Capped at
  /// ``RPCErrorMapping/maxMessageBytes`` in case a caller's value slipped in unquoted.
  public var rpcErrorMessage: String {
    let message =
      switch self {
      case .invalidArgument(let field, let reason): "\(field): \(reason)"
      case .notFound(let what): "\(what) not found"
      case .alreadyExists(let message), .failedPrecondition(let message),
        .resourceExhausted(let message), .unavailable(let message), .internalError(let message):
        message
      }
    return RPCErrorMapping.capped(message)
  }

  /// For INVALID_ARGUMENT, `grpc-status-details-bin` with a `google.rpc.BadRequest` (its
  /// field and description capped as the message is).
  public var rpcErrorMetadata: Metadata {
    guard case .invalidArgument(let field, let reason) = self else { return [:] }
    let status = GoogleRPCStatus(
      code: .invalidArgument,
      message: rpcErrorMessage,
      details: .badRequest(violations: [
        .init(field: RPCErrorMapping.capped(field), description: RPCErrorMapping.capped(reason))
      ])
    )
    return status.rpcErrorMetadata
  }
}
