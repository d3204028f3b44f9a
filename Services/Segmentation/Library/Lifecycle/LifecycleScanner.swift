import Contracts
import Foundation
import GRPCCore
import GRDB
import Logging
import ServiceKit
import ServiceLifecycle

/// The periodic lifecycle scan: stages move with time, not only with writes.
public struct LifecycleScanner: Service {
  private let scan: LifecycleScan
  private let clock: any WallClock
  private let interval: Duration
  private let logger: Logger

  /// A scanner of `store` every `interval` (an hour unless configured).
  public init(
    store: SegmentationStore, clock: any WallClock, logger: Logger,
    policy: LifecyclePolicy = LifecyclePolicy(), interval: Duration = .seconds(3600)
  ) {
    scan = LifecycleScan(database: store.database, policy: policy)
    self.clock = clock
    self.interval = interval
    self.logger = logger
  }

  public func run() async throws {
    while !Task.isCancelled && !Task.isShuttingDownGracefully {
      do {
        let changed = try await scan.run(now: clock.now())
        if changed > 0 { logger.info("lifecycle scan", metadata: ["changed": "\(changed)"]) }
      } catch {
        logger.warning("lifecycle scan failed", metadata: ["error": "\(error)"])
      }
      do {
        try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
      } catch {
        return
      }
    }
  }
}

extension SegmentationService {
  /// `RunLifecycleScan`: one pass of the scan, now.
  public func runLifecycleScan(
    request: Crm_Segmentation_V1_RunLifecycleScanRequest,
    context: ServerContext
  ) async throws -> Crm_Segmentation_V1_RunLifecycleScanResponse {
    let changed = try await LifecycleScan(database: store.database, policy: lifecycle)
      .run(now: clock.now())
    return .with { $0.changedCustomers = changed }
  }
}
