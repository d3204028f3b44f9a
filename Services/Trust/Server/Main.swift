import ServiceKit
import Trust

@main
enum TrustServer {
  static func main() async {
    await ServiceMain.run(.trust, migrator: TrustStore.migrator) { environment in
      let destinations = TrustService.eventDestinations
      // Verified-purchase checks and claim windows read segmentation over gRPC, with deadlines.
      let segmentation = try PeerClient(peer: .segmentation, environment: environment)
      return ServiceComponents(
        rpcServices: [
          TrustService(
            store: TrustStore(database: environment.database),
            clock: environment.clock,
            logger: environment.logger,
            purchases: SegmentationDirectory(peer: segmentation, clock: environment.clock),
            policy: ReviewPolicy(
              verifiedOnly: environment.settings.reviewVerifiedOnly,
              maxPhotos: environment.settings.reviewMaxPhotos,
              complaintRatingThreshold: environment.settings.reviewComplaintRating)),
          OutboxStatusService(database: environment.database, destinations: destinations, clock: environment.clock),
        ],
        background: [
          segmentation,
          OutboxRelay(
            database: environment.database,
            destinations: environment.settings.peers.filter { destinations.contains($0.key) },
            clock: environment.clock, logger: environment.logger, health: environment.health,
            credentials: environment.credentials),
        ])
    }
  }
}
