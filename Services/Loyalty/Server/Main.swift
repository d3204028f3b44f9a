import Contracts
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
      let interval = Duration.seconds(environment.settings.scanIntervalSeconds)
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
            clock: environment.clock, logger: environment.logger, health: environment.health,
            credentials: environment.credentials),
          // Points expire, pending points become available and tier periods end without a
          // caller; each call handles a bounded batch, the next interval the rest.
          PeriodicScan(
            Crm_Loyalty_V1_LoyaltyService.Method.RunExpiry.descriptor, every: interval, logger: environment.logger
          ) { context in
            _ = try await loyalty.runExpiry(request: .init(), context: context)
          },
          PeriodicScan(
            Crm_Loyalty_V1_LoyaltyService.Method.ReleasePendingPoints.descriptor, every: interval,
            logger: environment.logger
          ) { context in
            _ = try await loyalty.releasePendingPoints(request: .init(), context: context)
          },
          PeriodicScan(
            Crm_Loyalty_V1_LoyaltyService.Method.RunTierReview.descriptor, every: interval, logger: environment.logger
          ) { context in
            _ = try await loyalty.runTierReview(request: .init(), context: context)
          },
        ])
    }
  }
}
