import ArgumentParser

/// `crm-bench`: builds large stores straight into a service's SQLite file and measures the scale
/// targets of each service against a running (release) executable.
///
/// Filling goes through the service library's own migrations and schema, in large transactions,
/// because tens of millions of rows through the public RPCs would take hours; everything that
/// is measured goes through the real gRPC server.
@main
struct CRMBench: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "crm-bench",
    abstract: "Fill a service's store with millions of rows and measure its scale targets.",
    discussion: """
      Each service has `fill` (writes <data-dir>/<service>.sqlite while the service is not \
      running) and `measure` (calls a running service at --addr and prints its figures, or \
      writes them as JSON with --out). Bulk ids follow one pattern in every service, so stores \
      filled with the same --customers describe the same people: customers bulk-0000000..., \
      products p-00000...
      """,
    subcommands: [
      SegmentationBench.self, InteractionBench.self, FeedbackBench.self, TrustBench.self,
      LoyaltyBench.self, GroupCommitBench.self,
    ]
  )
}
