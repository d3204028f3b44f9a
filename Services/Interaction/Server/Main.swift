import Interaction
import ServiceKit

@main
enum InteractionServer {
  static func main() async {
    await ServiceMain.run(.interaction, migrator: InteractionStore.migrator) { environment in
      [
        InteractionService(
          store: InteractionStore(database: environment.database),
          clock: environment.clock,
          logger: environment.logger)
      ]
    }
  }
}
