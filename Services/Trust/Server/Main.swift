import ServiceKit
import Trust

@main
enum TrustServer {
  static func main() async {
    await ServiceMain.run(.trust, migrator: TrustStore.migrator) { environment in
      [
        TrustService(
          store: TrustStore(database: environment.database),
          clock: environment.clock,
          logger: environment.logger)
      ]
    }
  }
}
