import ArgumentParser

/// `crm-bench segmentation`: fill and measure (being written).
struct SegmentationBench: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "segmentation", abstract: "Fill and measure the segmentation service (being written).")
}
