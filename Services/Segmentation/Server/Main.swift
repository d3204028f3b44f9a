import Segmentation
import ServiceKit

@main
enum SegmentationServer {
  static func main() async {
    await ServiceMain.run(.segmentation, migrator: SegmentationStore.migrator) { environment in
      let destinations = SegmentationService.eventDestinations
      return ServiceComponents(
        rpcServices: [
          SegmentationService(
            store: SegmentationStore(database: environment.database),
            clock: environment.clock,
            logger: environment.logger),
          OutboxStatusService(database: environment.database, destinations: destinations, clock: environment.clock),
        ],
        background: [
          OutboxRelay(
            database: environment.database,
            destinations: environment.settings.peers.filter { destinations.contains($0.key) },
            clock: environment.clock, logger: environment.logger, health: environment.health)
        ])
    }
  }
}
