import GRDB
import GRPCCore

/// Turns any error a handler throws into the status its caller gets.
///
/// Domain errors are `RPCErrorConvertible` already. What is left are store errors and bugs:
/// a busy or locked store is UNAVAILABLE (retry later), a full disk RESOURCE_EXHAUSTED, and
/// anything else INTERNAL, never the UNKNOWN that grpc-swift would send for a stray error.
public enum RPCErrorMapping {
  /// The status for `error`, and whether it was expected (false means a bug to log loudly).
  public static func rpcError(for error: any Error) -> (error: RPCError, expected: Bool) {
    switch error {
    case let error as RPCError:
      return (error, error.code != .unknown)
    case let error as any RPCErrorConvertible:
      return (RPCError(error), true)
    case let error as DatabaseError:
      switch error.resultCode {
      case .SQLITE_BUSY, .SQLITE_LOCKED:
        return (RPCError(code: .unavailable, message: "the store is busy; retry"), true)
      case .SQLITE_FULL:
        return (RPCError(code: .resourceExhausted, message: "the store is full"), true)
      case .SQLITE_READONLY, .SQLITE_CANTOPEN, .SQLITE_IOERR:
        return (RPCError(code: .unavailable, message: "the store cannot be written now"), false)
      default:
        return (RPCError(code: .internalError, message: "store error"), false)
      }
    case is CancellationError:
      return (RPCError(code: .cancelled, message: "the RPC was cancelled"), true)
    default:
      return (RPCError(code: .internalError, message: "internal error"), false)
    }
  }
}
