import Loyalty
import ServiceKit

@main
enum LoyaltyServer {
  static func main() async {
    await ServiceMain.run(.loyalty, migrator: LoyaltyStore.migrator) { environment in
      [
        LoyaltyService(
          store: LoyaltyStore(database: environment.database),
          clock: environment.clock,
          logger: environment.logger)
      ]
    }
  }
}
