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
      return ServiceComponents(rpcServices: [
        loyalty,
        // Purchases and refunds from segmentation, approved refund claims from trust.
        EventSinkService(database: environment.database, applier: loyalty, clock: environment.clock),
      ])
    }
  }
}
