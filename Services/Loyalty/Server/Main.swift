import Loyalty
import ServiceKit

@main
enum LoyaltyServer {
  static func main() async {
    await ServiceMain.run(.loyalty, migrator: LoyaltyStore.migrator) { environment in
      let loyalty = LoyaltyService(
        store: LoyaltyStore(database: environment.database),
        clock: environment.clock,
        logger: environment.logger)
      let destinations = LoyaltyService.eventDestinations
      return ServiceComponents(
        rpcServices: [
          loyalty,
          // Purchases, refunds and stage changes from segmentation, approved refund claims
          // from trust.
          EventSinkService(
            database: environment.database, applier: loyalty, clock: environment.clock),
          OutboxStatusService(
            database: environment.database, destinations: destinations,
            clock: environment.clock),
        ],
        background: [
          // Tier changes to segmentation.
          OutboxRelay(
            database: environment.database,
            destinations: environment.settings.peers.filter { destinations.contains($0.key) },
            clock: environment.clock, logger: environment.logger, health: environment.health)
        ])
    }
  }
}
