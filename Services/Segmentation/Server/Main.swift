import Foundation
import Segmentation
import ServiceKit

@main
enum SegmentationServer {
  static func main() async {
    await ServiceMain.run(.segmentation, migrator: SegmentationStore.migrator) { environment in
      let destinations = SegmentationService.eventDestinations
      let store = SegmentationStore(database: environment.database)
      let day: TimeInterval = 86_400
      let lifecycle = LifecyclePolicy(
        newWindow: environment.settings.lifecycleNewDays * day,
        dormantAfter: environment.settings.lifecycleDormantDays * day,
        churnedAfter: environment.settings.lifecycleChurnedDays * day)
      let segmentation = SegmentationService(
        store: store, clock: environment.clock, logger: environment.logger, lifecycle: lifecycle)
      return ServiceComponents(
        rpcServices: [
          segmentation,
          OutboxStatusService(database: environment.database, destinations: destinations, clock: environment.clock),
          // Activity from interaction, feedback and trust; loyalty's tier changes.
          EventSinkService(database: environment.database, applier: segmentation, clock: environment.clock),
        ],
        background: [
          OutboxRelay(
            database: environment.database,
            destinations: environment.settings.peers.filter { destinations.contains($0.key) },
            clock: environment.clock, logger: environment.logger, health: environment.health,
            credentials: environment.credentials),
          // Stages move with time: every --scan-interval-seconds, an indexed read of the
          // profiles whose stage deadline has passed.
          LifecycleScanner(
            store: store, clock: environment.clock, logger: environment.logger, policy: lifecycle,
            interval: .seconds(environment.settings.scanIntervalSeconds)),
          // Re-tiers every profile after the tier rules change, and every
          // --retier-interval-hours so that tiers over time windows stay current.
          RetierWorker(
            store: store, clock: environment.clock, logger: environment.logger, policy: lifecycle,
            refreshInterval: environment.settings.retierIntervalHours > 0
              ? TimeInterval(environment.settings.retierIntervalHours) * 3600 : nil),
        ])
    }
  }
}
