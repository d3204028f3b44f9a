import Foundation
import GRPCCore
import Logging
import Metrics
import Synchronization

/// Gives every RPC a request id, writes one log line per RPC (method, status code, duration),
/// and makes sure no stray error reaches a caller as UNKNOWN.
///
/// The id comes from the caller's `x-request-id` metadata when present (so a request can be
/// followed across services), is echoed back in the response metadata, and is bound to
/// ``RequestContext/requestID`` while the handler runs.
public struct RequestLogInterceptor: ServerInterceptor {
  /// The metadata key carrying the request id, both ways.
  public static let requestIDKey = "x-request-id"

  private let logger: Logger
  private let metrics = RPCMetricHandles()

  /// Creates the interceptor, logging to `logger`.
  public init(logger: Logger) {
    self.logger = logger
  }

  public func intercept<Input: Sendable, Output: Sendable>(
    request: StreamingServerRequest<Input>,
    context: ServerContext,
    next: @Sendable (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
  ) async throws -> StreamingServerResponse<Output> {
    let requestID = Self.requestID(from: request.metadata)
    let method = context.descriptor.fullyQualifiedMethod
    let started = ContinuousClock.now
    let logger = self.logger
    let metrics = self.metrics

    return await RequestContext.$requestID.withValue(requestID) {
      var response: StreamingServerResponse<Output>
      do {
        response = try await next(request, context)
      } catch {
        response = StreamingServerResponse(error: Self.mapped(error, method: method, logger: logger))
      }

      switch response.accepted {
      case .failure(let error):
        Self.logCompletion(logger, metrics, method: method, code: error.code, since: started)
        // A handler may also fail by returning the error: capped like a thrown one.
        var failed = StreamingServerResponse<Output>(error: RPCErrorMapping.capped(error))
        failed.metadata.addString(requestID, forKey: Self.requestIDKey)
        return failed

      case .success(var contents):
        let producer = contents.producer
        // Streaming handlers fail inside the producer, after the response was accepted: wrap
        // it so their errors are mapped and logged too, with the request id still bound.
        contents.producer = { writer in
          try await RequestContext.$requestID.withValue(requestID) {
            do {
              let trailers = try await producer(writer)
              Self.logCompletion(logger, metrics, method: method, code: nil, since: started)
              return trailers
            } catch {
              let rpcError = Self.mapped(error, method: method, logger: logger)
              Self.logCompletion(logger, metrics, method: method, code: rpcError.code, since: started)
              throw rpcError
            }
          }
        }
        contents.metadata.addString(requestID, forKey: Self.requestIDKey)
        return StreamingServerResponse(accepted: .success(contents))
      }
    }
  }

  static func requestID(from metadata: Metadata) -> String {
    for value in metadata[stringValues: requestIDKey] {
      // Only a short printable id is taken from a caller; anything else gets a fresh one.
      // (On bytes: for ASCII text this is the same test as on characters, without grapheme breaking.)
      if !value.isEmpty, value.utf8.count <= 128, value.utf8.allSatisfy({ $0 < 0x80 && !(0x09...0x0D).contains($0) && $0 != 0x20 }) {
        return value
      }
    }
    return newRequestID()
  }

  /// A random (version 4) UUID in lower case, as `RequestContext.newID()` makes, without
  /// Foundation's UUID and string bridging: this runs once per RPC the caller sent no id for.
  static func newRequestID() -> String {
    var generator = SystemRandomNumberGenerator()
    // Version 4 in the high word's bits 12-15, variant 10 in the low word's top bits.
    let high = (generator.next() & 0xFFFF_FFFF_FFFF_0FFF) | 0x0000_0000_0000_4000
    let low = (generator.next() & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000
    return String(unsafeUninitializedCapacity: 36) { buffer in
      var index = 0
      for digit in 0..<32 {
        if digit == 8 || digit == 12 || digit == 16 || digit == 20 {
          buffer[index] = UInt8(ascii: "-")
          index += 1
        }
        let word = digit < 16 ? high : low
        let nibble = UInt8(truncatingIfNeeded: word >> UInt64(60 - 4 * (digit % 16))) & 0xF
        buffer[index] = nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
        index += 1
      }
      return index
    }
  }

  private static func mapped(_ error: any Error, method: String, logger: Logger) -> RPCError {
    let (rpcError, expected) = RPCErrorMapping.rpcError(for: error)
    if !expected {
      // The caller sees a generic message; the cause stays here, in the log.
      logger.error("unexpected error", metadata: ["method": "\(method)", "error": "\(String(reflecting: error))"])
    }
    // Whatever a handler put in the message, the caller never gets a large value echoed back.
    return RPCErrorMapping.capped(rpcError)
  }

  private static func logCompletion(
    _ logger: Logger, _ metrics: RPCMetricHandles, method: String, code: RPCError.Code?, since start: ContinuousClock.Instant
  ) {
    let elapsed = ContinuousClock.now - start
    let nanoseconds = elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000
    let codeName = code.map { "\($0)" } ?? "ok"
    logger.info(
      "rpc",
      metadata: [
        "method": "\(method)",
        "code": "\(codeName)",
        "duration_ms": "\(milliseconds(nanoseconds))",
      ]
    )
    // RPC count and errors by status, and latency per method (exported by the metrics endpoint).
    metrics.handled(method: method, code: codeName).increment()
    metrics.handling(method: method).recordNanoseconds(nanoseconds)
  }

  /// `nanoseconds` as milliseconds with three decimals ("12.345"), as `%.3f` prints them,
  /// without Foundation's format parser.
  static func milliseconds(_ nanoseconds: Int64) -> String {
    let micros = (max(nanoseconds, 0) + 500) / 1_000
    let fraction = String(micros % 1_000)
    return "\(micros / 1_000)." + String(repeating: "0", count: 3 - fraction.utf8.count) + fraction
  }
}

/// The interceptor's metric handles, made once per method (and status) instead of once per RPC:
/// a metrics backend's factory call looks the series up by name and labels under its own lock.
final class RPCMetricHandles: Sendable {
  private struct HandledKey: Hashable {
    var method: String
    var code: String
  }

  private let counters = Mutex<[HandledKey: Counter]>([:])
  private let timers = Mutex<[String: Metrics.Timer]>([:])

  /// `grpc_server_handled_total{grpc_method, grpc_code}`.
  func handled(method: String, code: String) -> Counter {
    let key = HandledKey(method: method, code: code)
    if let counter = counters.withLock({ $0[key] }) { return counter }
    let counter = Counter(label: "grpc_server_handled_total", dimensions: [("grpc_method", method), ("grpc_code", code)])
    return counters.withLock { counters in
      if let existing = counters[key] { return existing }
      counters[key] = counter
      return counter
    }
  }

  /// `grpc_server_handling_seconds{grpc_method}`.
  func handling(method: String) -> Metrics.Timer {
    if let timer = timers.withLock({ $0[method] }) { return timer }
    let timer = Metrics.Timer(label: "grpc_server_handling_seconds", dimensions: [("grpc_method", method)])
    return timers.withLock { timers in
      if let existing = timers[method] { return existing }
      timers[method] = timer
      return timer
    }
  }
}
