import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Prometheus
import ServiceLifecycle

/// The Prometheus scrape endpoint, `GET /metrics`, on its own HTTP/1.1 port so that scraping
/// never competes with gRPC traffic for HTTP/2 streams.
public struct MetricsEndpoint: Service {
  private let channel: any Channel
  private let logger: Logger

  /// Decides from a request's `Authorization` header whether it may read the metrics.
  public typealias Authorizer = @Sendable (_ authorization: String?) async -> Bool

  /// Binds `host:port` now, so that a port in use is reported before the service starts.
  /// With `authorize`, a scrape it refuses is answered 401.
  public static func bind(
    host: String, port: Int, registry: PrometheusCollectorRegistry, logger: Logger,
    authorize: Authorizer? = nil
  ) async throws -> MetricsEndpoint {
    let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
      .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
      .childChannelInitializer { channel in
        channel.pipeline.configureHTTPServerPipeline().flatMap {
          channel.pipeline.addHandler(ScrapeHandler(registry: registry, authorize: authorize))
        }
      }
      .bind(host: host, port: port)
      .get()
    return MetricsEndpoint(channel: channel, logger: logger)
  }

  /// The bound port.
  public var port: Int { channel.localAddress?.port ?? 0 }

  public func run() async throws {
    logger.debug("metrics endpoint", metadata: ["address": "\(channel.localAddress.map { "\($0)" } ?? "?")"])
    // Closed on shutdown and also on cancellation (the group cancels everything when the
    // gRPC server fails to start), or the process would wait forever.
    try await withTaskCancellationOrGracefulShutdownHandler {
      try await channel.closeFuture.get()
    } onCancelOrGracefulShutdown: {
      channel.close(promise: nil)
    }
  }
}

/// Answers `GET /metrics` with the registry in the Prometheus text format, 404 otherwise.
private final class ScrapeHandler: ChannelInboundHandler, @unchecked Sendable {
  typealias InboundIn = HTTPServerRequestPart
  typealias OutboundOut = HTTPServerResponsePart

  private let registry: PrometheusCollectorRegistry
  private let authorize: MetricsEndpoint.Authorizer?
  private var path = ""
  private var authorization: String?

  init(registry: PrometheusCollectorRegistry, authorize: MetricsEndpoint.Authorizer?) {
    self.registry = registry
    self.authorize = authorize
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    switch unwrapInboundIn(data) {
    case .head(let head):
      path = head.uri
      authorization = head.headers.first(name: "Authorization")
    case .body:
      break
    case .end:
      guard let authorize else {
        respond(context: context, allowed: true)
        return
      }
      let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
      let header = authorization
      context.eventLoop.makeFutureWithTask { await authorize(header) }.whenComplete { result in
        let (handler, context) = bound.value
        handler.respond(context: context, allowed: (try? result.get()) ?? false)
      }
    }
  }

  private func respond(context: ChannelHandlerContext, allowed: Bool) {
    let found = path == "/metrics" || path.hasPrefix("/metrics?")
    let status: HTTPResponseStatus = !allowed ? .unauthorized : found ? .ok : .notFound
    let body = status == .ok ? registry.emitToBuffer() : Array("\(status.reasonPhrase.lowercased())\n".utf8)
    var headers = HTTPHeaders()
    headers.add(name: "Content-Type", value: status == .ok ? "text/plain; version=0.0.4" : "text/plain")
    headers.add(name: "Content-Length", value: "\(body.count)")
    if status == .unauthorized { headers.add(name: "WWW-Authenticate", value: "Bearer") }
    let head = HTTPResponseHead(version: .http1_1, status: status, headers: headers)
    context.write(wrapOutboundOut(.head(head)), promise: nil)
    context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
    context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
  }
}
