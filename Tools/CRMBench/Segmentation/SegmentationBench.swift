import ArgumentParser

/// `crm-bench segmentation`: a million profiles and ten million purchases, and what the
/// service does with them (lookups, lists, a full re-tier under read load).
struct SegmentationBench: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "segmentation",
    abstract: "Fill and measure the segmentation service.",
    subcommands: [SegmentationFill.self, SegmentationMeasure.self])
}
