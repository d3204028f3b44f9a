import Feedback
import ServiceKit

@main
enum FeedbackServer {
  static func main() async {
    await ServiceMain.run(.feedback, migrator: FeedbackStore.migrator) { environment in
      [
        FeedbackService(
          store: FeedbackStore(database: environment.database),
          clock: environment.clock,
          logger: environment.logger)
      ]
    }
  }
}
