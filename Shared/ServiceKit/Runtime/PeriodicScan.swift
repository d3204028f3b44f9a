import GRPCCore
import Logging
import ServiceLifecycle

/// Runs one of a service's own scan RPCs (SLA breaches, points expiry...) every `interval`, as
/// background work beside the server, so rules in hours and days hold without a caller.
///
/// The scan is the RPC's own handler, called in-process with a context naming the method, so a
/// scheduled scan and one an operator runs by hand do exactly the same thing. A failed scan is
/// logged and tried again at the next interval; the scan stops with the service.
public struct PeriodicScan: Service {
  private let descriptor: MethodDescriptor
  private let interval: Duration
  private let logger: Logger
  private let scan: @Sendable (ServerContext) async throws -> Void

  /// A scan of `descriptor`'s handler, `scan`, every `interval` (the first one an interval after start).
  public init(
    _ descriptor: MethodDescriptor, every interval: Duration, logger: Logger,
    scan: @escaping @Sendable (ServerContext) async throws -> Void
  ) {
    self.descriptor = descriptor
    self.interval = interval
    self.logger = logger
    self.scan = scan
  }

  public func run() async throws {
    while !Task.isCancelled && !Task.isShuttingDownGracefully {
      do {
        try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
      } catch {
        return
      }
      do {
        try await withServerContextRPCCancellationHandle { handle in
          try await scan(
            ServerContext(descriptor: descriptor, remotePeer: "in-process:scheduler", localPeer: "in-process", cancellation: handle))
        }
      } catch {
        logger.warning("scheduled scan failed", metadata: ["method": "\(descriptor)", "error": "\(error)"])
      }
    }
  }
}
