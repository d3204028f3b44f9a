import Contracts
import Feedback
import ServiceKit

@main
enum FeedbackServer {
  static func main() async {
    await ServiceMain.run(.feedback, migrator: FeedbackStore.migrator) { environment in
      let destinations = FeedbackService.eventDestinations
      // Tier policies read the customer's tier from segmentation, with a deadline.
      let segmentation = try PeerClient(peer: .segmentation, environment: environment)
      let tiers = SegmentationDirectory(peer: segmentation, clock: environment.clock)
      let feedback = FeedbackService(
        store: FeedbackStore(database: environment.database),
        clock: environment.clock,
        logger: environment.logger,
        tiers: tiers)
      let relay = OutboxRelay(
        database: environment.database,
        destinations: environment.settings.peers.filter { destinations.contains($0.key) },
        clock: environment.clock, logger: environment.logger, health: environment.health,
        credentials: environment.credentials)
      return ServiceComponents(
        rpcServices: [
          feedback,
          // Low-rated reviews from trust.
          EventSinkService(
            database: environment.database, applier: feedback, clock: environment.clock),
          OutboxStatusService(
            database: environment.database, destinations: destinations, clock: environment.clock),
        ],
        background: [
          relay,
          segmentation,
          // SLA clocks end as breached and escalation rules act without a caller.
          PeriodicScan(
            Crm_Feedback_V1_FeedbackService.Method.RunSlaScan.descriptor,
            every: .seconds(environment.settings.scanIntervalSeconds), logger: environment.logger
          ) { context in
            _ = try await feedback.runSlaScan(request: .init(), context: context)
          },
        ])
    }
  }
}
