import Interaction
import ServiceKit

@main
enum InteractionServer {
  static func main() async {
    await ServiceMain.run(.interaction, migrator: InteractionStore.migrator) { environment in
      let destinations = InteractionEvents.destinations
      // Tier, time zone and name of a customer come from segmentation, with a deadline.
      let segmentation = try PeerClient(peer: .segmentation, environment: environment)
      let interaction = InteractionService(
        store: InteractionStore(database: environment.database),
        clock: environment.clock,
        logger: environment.logger,
        directory: SegmentationDirectory(peer: segmentation, clock: environment.clock))
      return ServiceComponents(
        rpcServices: [
          interaction,
          // Registrations, first purchases, dormancy (segmentation), resolved complaints (feedback).
          EventSinkService(database: environment.database, applier: interaction, clock: environment.clock),
          OutboxStatusService(database: environment.database, destinations: destinations, clock: environment.clock),
        ],
        background: [
          segmentation,
          OutboxRelay(
            database: environment.database,
            destinations: environment.settings.peers.filter { destinations.contains($0.key) },
            clock: environment.clock, logger: environment.logger, health: environment.health,
            credentials: environment.credentials),
          // Birthdays and anniversaries, every --scan-interval-seconds; the scan is once per
          // customer per year, so a short interval costs an indexed read and nothing else.
          DateScanService(
            database: environment.database, clock: environment.clock,
            interval: .seconds(environment.settings.scanIntervalSeconds),
            logger: environment.logger),
        ])
    }
  }
}
