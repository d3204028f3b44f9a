import Segmentation
import ServiceKit

@main
enum SegmentationServer {
  static func main() async {
    await ServiceMain.run(.segmentation, migrator: SegmentationStore.migrator) { environment in
      [
        SegmentationService(
          store: SegmentationStore(database: environment.database),
          clock: environment.clock,
          logger: environment.logger)
      ]
    }
  }
}
