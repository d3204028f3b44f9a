import GRPCCore
import GRPCNIOTransportHTTP2
import Logging
import NIOCore
import NIOHPACK
import NIOHTTP2

/// The two limits grpc-swift-nio-transport (2.9.x) does not enforce the way the suite needs,
/// added to each accepted connection and stream through the transport's channel callbacks.
///
/// - A request message over `maxRequestBytes` ends its RPC with RESOURCE_EXHAUSTED. The
///   transport's own check (`config.rpc.maxRequestPayloadSize`, which stays as a backstop) turns
///   into "Failed to decode message" and a reset stream, which clients see as CANCELLED or
///   UNAVAILABLE. Here the message's 5-byte length prefix is read as it arrives, so the RPC is
///   refused before any of the message is buffered.
/// - A connection that has not finished its handshake (TLS, then the HTTP/2 preface and SETTINGS)
///   within `handshakeTimeout` is closed, and so is one that does not acknowledge the PING
///   following the server's GOAWAY within that time. The transport's timers (`maxIdleTime`,
///   keepalive, shutdown) all end with a GOAWAY and a PING and close only once the PING is
///   acknowledged, so on their own they never close a socket whose peer stays silent.
public struct ConnectionLimits: Sendable {
  /// The largest request message, in bytes; a larger one is RESOURCE_EXHAUSTED.
  public var maxRequestBytes: Int
  /// How long a new connection has to send the HTTP/2 preface and its SETTINGS, and a closing
  /// connection to acknowledge the server's PING.
  public var handshakeTimeout: Duration
  /// Where refused requests and timed-out handshakes are logged.
  public var logger: Logger

  /// Creates the limits.
  public init(maxRequestBytes: Int, handshakeTimeout: Duration, logger: Logger) {
    self.maxRequestBytes = maxRequestBytes
    self.handshakeTimeout = handshakeTimeout
    self.logger = logger
  }

  /// The transport callbacks that install the limits: set them as
  /// `config.channelDebuggingCallbacks` of the server transport.
  public var callbacks: HTTP2ServerTransport.Config.ChannelDebuggingCallbacks {
    let limits = self
    return .init(
      onBindTCPListener: nil,
      onAcceptTCPConnection: { channel in
        channel.eventLoop.makeCompletedFuture {
          // After the HTTP/2 handler, where the peer's SETTINGS arrive as a frame once the TLS
          // handshake (if any) and the preface are through.
          let pipeline = channel.pipeline.syncOperations
          let http2 = try pipeline.handler(type: NIOHTTP2Handler.self)
          try pipeline.addHandler(
            ConnectionDeadlineHandler(timeout: TimeAmount(limits.handshakeTimeout), logger: limits.logger),
            position: .after(http2))
        }
      },
      onAcceptHTTP2Stream: { channel in
        channel.eventLoop.makeCompletedFuture {
          // First in the stream's pipeline: ahead of gRPC's stream handler, next to HTTP/2.
          try channel.pipeline.syncOperations.addHandler(
            RequestSizeLimitHandler(maxRequestBytes: limits.maxRequestBytes, logger: limits.logger),
            position: .first)
        }
      }
    )
  }
}

/// Closes a connection whose peer stops answering: one that has not sent its HTTP/2 SETTINGS
/// within the timeout, and one that has not acknowledged the server's closing PING within the
/// timeout of it.
///
/// The second case covers the transport's own timers: idle (`maxIdleTime`), keepalive and
/// shutdown all end in a GOAWAY followed by a PING, and the transport closes the connection only
/// once that PING is acknowledged, so a peer that stays silent would be held for ever.
final class ConnectionDeadlineHandler: ChannelDuplexHandler {
  typealias InboundIn = HTTP2Frame
  typealias InboundOut = HTTP2Frame
  typealias OutboundIn = HTTP2Frame
  typealias OutboundOut = HTTP2Frame

  private enum Phase {
    /// Connected; the peer's SETTINGS not yet read.
    case handshaking
    /// Handshaken; the server has not started closing.
    case open
    /// The server sent GOAWAY; the peer has not yet acknowledged a PING since.
    case closing
    /// The peer answered the closing PING: the transport finishes the close.
    case answered
  }

  private let timeout: TimeAmount
  private let logger: Logger
  private var phase = Phase.handshaking
  private var timer: Scheduled<Void>?

  init(timeout: TimeAmount, logger: Logger) {
    self.timeout = timeout
    self.logger = logger
  }

  func handlerAdded(context: ChannelHandlerContext) {
    if context.channel.isActive { startTimer(context: context, reason: "no HTTP/2 handshake in time") }
  }

  func handlerRemoved(context: ChannelHandlerContext) {
    cancelTimer()
  }

  func channelActive(context: ChannelHandlerContext) {
    startTimer(context: context, reason: "no HTTP/2 handshake in time")
    context.fireChannelActive()
  }

  func channelInactive(context: ChannelHandlerContext) {
    cancelTimer()
    context.fireChannelInactive()
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    switch (phase, unwrapInboundIn(data).payload) {
    case (.handshaking, .settings(.settings)):
      // The peer's first frame must be SETTINGS (NIO's HTTP/2 handler rejects anything else),
      // so it marks the end of the handshake.
      phase = .open
      cancelTimer()
    case (.closing, .ping(_, ack: true)):
      phase = .answered
      cancelTimer()
    default:
      break
    }
    context.fireChannelRead(data)
  }

  func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
    if case .goAway = unwrapOutboundIn(data).payload, phase == .open || phase == .handshaking {
      // The transport's PING follows this GOAWAY; the peer has `timeout` to answer it.
      phase = .closing
      cancelTimer()
      startTimer(context: context, reason: "no answer to the closing PING in time")
    }
    context.write(data, promise: promise)
  }

  private func startTimer(context: ChannelHandlerContext, reason: String) {
    guard timer == nil, phase == .handshaking || phase == .closing else { return }
    let timeout = timeout
    let logger = logger
    timer = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) {
      logger.info(
        "connection closed: \(reason)",
        metadata: [
          "peer": "\(context.channel.remoteAddress.map { "\($0)" } ?? "unknown")",
          "timeout_ms": "\(timeout.nanoseconds / 1_000_000)",
        ])
      context.close(promise: nil)
    }
  }

  private func cancelTimer() {
    timer?.cancel()
    timer = nil
  }
}

/// Follows gRPC's length-prefixed messages (1 flag byte, a 4-byte big-endian length, the
/// message) across DATA frames and reports the first message declared longer than the limit.
struct GRPCLengthPrefixScanner {
  /// The largest message length allowed.
  let limit: Int
  private var headerBytesRead = 0
  private var declaredLength: UInt32 = 0
  private var bodyBytesLeft = 0

  init(limit: Int) {
    self.limit = limit
  }

  /// Reads the next bytes of the stream; returns the declared length of a message over the
  /// limit as soon as its prefix is complete, else nil.
  mutating func scan(_ bytes: UnsafeRawBufferPointer) -> Int? {
    var index = 0
    while index < bytes.count {
      if bodyBytesLeft > 0 {
        let skipped = min(bodyBytesLeft, bytes.count - index)
        bodyBytesLeft -= skipped
        index += skipped
        continue
      }
      // Byte 0 is the compression flag; bytes 1...4 the length.
      if headerBytesRead > 0 { declaredLength = declaredLength << 8 | UInt32(bytes[index]) }
      headerBytesRead += 1
      index += 1
      if headerBytesRead == 5 {
        let length = Int(declaredLength)
        headerBytesRead = 0
        declaredLength = 0
        if length > limit { return length }
        bodyBytesLeft = length
      }
    }
    return nil
  }
}

/// Ends an RPC whose request message is over the limit with RESOURCE_EXHAUSTED, in place of the
/// transport's stream reset.
///
/// It sits first in the stream's pipeline and passes frames through while it reads the length
/// prefixes. On a message that is too long it tells gRPC's stream handler (so the handler's
/// request stream fails with RESOURCE_EXHAUSTED and the RPC ends), drops the message, and
/// answers the client itself: trailers carrying the status, then RST_STREAM(NO_ERROR) so the
/// client stops sending the rest (RFC 9113 §8.1).
final class RequestSizeLimitHandler: ChannelDuplexHandler {
  typealias InboundIn = HTTP2Frame.FramePayload
  typealias InboundOut = HTTP2Frame.FramePayload
  typealias OutboundIn = HTTP2Frame.FramePayload
  typealias OutboundOut = HTTP2Frame.FramePayload

  private var scanner: GRPCLengthPrefixScanner
  private let logger: Logger
  private var path = ""
  private var responseHeadersSent = false
  private var responseEnded = false
  private var requestEnded = false
  private var rejected = false

  init(maxRequestBytes: Int, logger: Logger) {
    self.scanner = GRPCLengthPrefixScanner(limit: maxRequestBytes)
    self.logger = logger
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    // The rest of a refused request goes nowhere.
    guard !rejected else { return }
    switch unwrapInboundIn(data) {
    case .headers(let headers):
      if path.isEmpty { path = headers.headers.first(name: ":path") ?? "" }
      if headers.endStream { requestEnded = true }
    case .data(let frame):
      if frame.endStream { requestEnded = true }
      if case .byteBuffer(let buffer) = frame.data,
        let length = buffer.withUnsafeReadableBytes({ scanner.scan($0) })
      {
        reject(context: context, length: length)
        return
      }
    default:
      break
    }
    context.fireChannelRead(data)
  }

  func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
    // Once refused, the status has been sent from here; nothing of gRPC's may follow it.
    guard !rejected else {
      promise?.fail(ChannelError.ioOnClosedChannel)
      return
    }
    if case .headers(let headers) = unwrapOutboundIn(data) {
      if headers.endStream { responseEnded = true } else { responseHeadersSent = true }
    }
    context.write(data, promise: promise)
  }

  private func reject(context: ChannelHandlerContext, length: Int) {
    rejected = true
    let message = "request message of \(length) bytes exceeds the limit of \(scanner.limit) bytes"
    logger.warning(
      "request refused: message too large",
      metadata: ["method": "\(path)", "bytes": "\(length)", "limit": "\(scanner.limit)"])
    // gRPC's stream handler (after this one) fails the RPC's request stream with this error and
    // stops writing: the handler ends as RESOURCE_EXHAUSTED, and its own status goes nowhere.
    context.fireErrorCaught(RPCError(code: .resourceExhausted, message: message))
    guard !responseEnded else { return }
    var trailers = HPACKHeaders()
    if !responseHeadersSent {
      // Trailers-only response.
      trailers.add(name: ":status", value: "200")
      trailers.add(name: "content-type", value: "application/grpc")
    }
    trailers.add(name: "grpc-status", value: String(RPCError.Code.resourceExhausted.rawValue))
    trailers.add(name: "grpc-message", value: message)  // ASCII only: needs no percent-encoding
    context.write(wrapOutboundOut(.headers(.init(headers: trailers, endStream: true))), promise: nil)
    if !requestEnded {
      context.write(wrapOutboundOut(.rstStream(.noError)), promise: nil)
    }
    context.flush()
  }
}
