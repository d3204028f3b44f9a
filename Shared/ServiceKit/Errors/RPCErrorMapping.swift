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

  /// The longest status message (in UTF-8 bytes) a caller gets back; a longer one is cut.
  public static let maxMessageBytes = 300

  /// The longest `grpc-status-details-bin` kept; larger details are dropped with their echo.
  public static let maxDetailsBytes = 2048

  /// `message` cut to at most ``maxMessageBytes`` bytes (on a Unicode scalar boundary) and
  /// marked with "…" where it was cut.
  public static func capped(_ message: String) -> String {
    guard message.utf8.count > maxMessageBytes else { return message }
    var kept = String.UnicodeScalarView()
    var bytes = 0
    let budget = maxMessageBytes - 3  // "…" is three bytes
    for scalar in message.unicodeScalars {
      bytes += UTF8.width(scalar)
      if bytes > budget { break }
      kept.append(scalar)
    }
    return String(kept) + "…"
  }

  /// `error` as a caller may see it: the message capped and oversized status details dropped.
  ///
  /// The last guard where errors leave the server (``RequestLogInterceptor``): whatever a
  /// handler put in an error, a caller never gets its own large value echoed back.
  public static func capped(_ error: RPCError) -> RPCError {
    let detailsKey = "grpc-status-details-bin"
    let oversizedDetails = error.metadata[binaryValues: detailsKey].contains { $0.count > maxDetailsBytes }
    guard error.message.utf8.count > maxMessageBytes || oversizedDetails else { return error }
    // Edited in place: `RPCError.init(cause:)` would merge in a cause's message.
    var capped = error
    capped.message = Self.capped(error.message)
    if oversizedDetails { capped.metadata.removeAllValues(forKey: detailsKey) }
    return capped
  }
}
