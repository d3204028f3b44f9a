import Foundation
import GRPCCore
import Logging
import Metrics

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

    return await RequestContext.$requestID.withValue(requestID) {
      var response: StreamingServerResponse<Output>
      do {
        response = try await next(request, context)
      } catch {
        response = StreamingServerResponse(error: Self.mapped(error, method: method, logger: logger))
      }

      switch response.accepted {
      case .failure(let error):
        Self.logCompletion(logger, method: method, code: error.code, since: started)
        var failed = StreamingServerResponse<Output>(error: error)
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
              Self.logCompletion(logger, method: method, code: nil, since: started)
              return trailers
            } catch {
              let rpcError = Self.mapped(error, method: method, logger: logger)
              Self.logCompletion(logger, method: method, code: rpcError.code, since: started)
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
      if !value.isEmpty, value.count <= 128, value.allSatisfy({ $0.isASCII && !$0.isWhitespace }) {
        return value
      }
    }
    return RequestContext.newID()
  }

  private static func mapped(_ error: any Error, method: String, logger: Logger) -> RPCError {
    let (rpcError, expected) = RPCErrorMapping.rpcError(for: error)
    if !expected {
      // The caller sees a generic message; the cause stays here, in the log.
      logger.error("unexpected error", metadata: ["method": "\(method)", "error": "\(String(reflecting: error))"])
    }
    return rpcError
  }

  private static func logCompletion(_ logger: Logger, method: String, code: RPCError.Code?, since start: ContinuousClock.Instant) {
    let elapsed = ContinuousClock.now - start
    let nanoseconds = elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000
    let codeName = code.map { "\($0)" } ?? "ok"
    logger.info(
      "rpc",
      metadata: [
        "method": "\(method)",
        "code": "\(codeName)",
        "duration_ms": "\(String(format: "%.3f", Double(nanoseconds) / 1e6))",
      ]
    )
    // RPC count and errors by status, and latency per method (exported by the metrics endpoint).
    Counter(label: "grpc_server_handled_total", dimensions: [("grpc_method", method), ("grpc_code", codeName)])
      .increment()
    Metrics.Timer(label: "grpc_server_handling_seconds", dimensions: [("grpc_method", method)])
      .recordNanoseconds(nanoseconds)
  }
}
