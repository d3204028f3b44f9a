import Feedback
import ServiceKit

@main
enum FeedbackServer {
  static func main() async {
    await ServiceMain.run(.feedback, migrator: FeedbackStore.migrator) { environment in
      let destinations = FeedbackService.eventDestinations
      // Tier policies read the customer's tier from segmentation when it is configured.
      let segmentation = try environment.settings.peers[.segmentation].map {
        try PeerClient(peer: .segmentation, address: $0)
      }
      let tiers = segmentation.map { SegmentationDirectory(peer: $0, clock: environment.clock) }
      let feedback = FeedbackService(
        store: FeedbackStore(database: environment.database),
        clock: environment.clock,
        logger: environment.logger,
        tiers: tiers)
      let relay = OutboxRelay(
        database: environment.database,
        destinations: environment.settings.peers.filter { destinations.contains($0.key) },
        clock: environment.clock, logger: environment.logger, health: environment.health)
      var components = ServiceComponents(
        rpcServices: [
          feedback,
          // Low-rated reviews from trust.
          EventSinkService(
            database: environment.database, applier: feedback, clock: environment.clock),
          OutboxStatusService(
            database: environment.database, destinations: destinations, clock: environment.clock),
        ],
        background: [relay])
      if let segmentation { components.background.append(segmentation) }
      return components
    }
  }
}
