import ArgumentParser

/// The command-line flags every service takes. Each is optional: an absent flag falls back to
/// its environment variable, then to the default (see ``ServiceSettings/reference``).
///
/// Values are taken as text and checked by ``ServiceSettings/resolve(_:service:environment:)``
/// so that every bad value gets the same one-line error naming both the flag and the variable.
public struct ServiceOptions: ParsableArguments, Sendable {
  @Option(help: "Host or IP to listen on (CRM_HOST).")
  var host: String?

  @Option(help: "TCP port to listen on; 0 picks a free one (CRM_PORT).")
  var port: String?

  @Option(name: .customLong("metrics-port"), help: "Port of the Prometheus /metrics endpoint; 0 picks a free one (CRM_METRICS_PORT).")
  var metricsPort: String?

  @Option(name: .customLong("data-dir"), help: "Directory for the store (CRM_DATA_DIR).")
  var dataDirectory: String?

  @Option(name: .customLong("database"), help: "SQLite file; default <data-dir>/<service>.sqlite (CRM_DATABASE).")
  var databasePath: String?

  @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical (CRM_LOG_LEVEL).")
  var logLevel: String?

  @Option(name: .customLong("segmentation-addr"), help: "host:port of segmentation (CRM_SEGMENTATION_ADDR).")
  var segmentationAddress: String?

  @Option(name: .customLong("interaction-addr"), help: "host:port of interaction (CRM_INTERACTION_ADDR).")
  var interactionAddress: String?

  @Option(name: .customLong("feedback-addr"), help: "host:port of feedback (CRM_FEEDBACK_ADDR).")
  var feedbackAddress: String?

  @Option(name: .customLong("trust-addr"), help: "host:port of trust (CRM_TRUST_ADDR).")
  var trustAddress: String?

  @Option(name: .customLong("loyalty-addr"), help: "host:port of loyalty (CRM_LOYALTY_ADDR).")
  var loyaltyAddress: String?

  @Option(name: .customLong("max-request-bytes"), help: "Largest request message in bytes (CRM_MAX_REQUEST_BYTES).")
  var maxRequestBytes: String?

  @Option(name: .customLong("max-concurrent-streams"), help: "HTTP/2 streams per connection (CRM_MAX_CONCURRENT_STREAMS).")
  var maxConcurrentStreams: String?

  @Option(name: .customLong("keepalive-seconds"), help: "Idle seconds before a keepalive ping (CRM_KEEPALIVE_SECONDS).")
  var keepaliveSeconds: String?

  @Option(name: .customLong("shutdown-grace-seconds"), help: "Seconds in-flight RPCs get after SIGTERM (CRM_SHUTDOWN_GRACE_SECONDS).")
  var shutdownGraceSeconds: String?

  @Option(name: .customLong("scan-interval-seconds"), help: "How often periodic scans run (CRM_SCAN_INTERVAL_SECONDS).")
  var scanIntervalSeconds: String?

  @Option(name: .customLong("peer-timeout-ms"), help: "Deadline of a read from another service (CRM_PEER_TIMEOUT_MS).")
  var peerTimeoutMilliseconds: String?

  @Option(name: .customLong("lifecycle-new-days"), help: "Segmentation: days a buyer stays new (CRM_LIFECYCLE_NEW_DAYS).")
  var lifecycleNewDays: String?

  @Option(name: .customLong("lifecycle-dormant-days"), help: "Segmentation: idle days before dormant (CRM_LIFECYCLE_DORMANT_DAYS).")
  var lifecycleDormantDays: String?

  @Option(name: .customLong("lifecycle-churned-days"), help: "Segmentation: idle days before churned (CRM_LIFECYCLE_CHURNED_DAYS).")
  var lifecycleChurnedDays: String?

  @Option(name: .customLong("retier-interval-hours"), help: "Segmentation: hours between full re-tiers, 0 only on rule changes (CRM_RETIER_INTERVAL_HOURS).")
  var retierIntervalHours: String?

  @Option(name: .customLong("review-verified-only"), help: "Trust: accept reviews of confirmed purchases only, true or false (CRM_REVIEW_VERIFIED_ONLY).")
  var reviewVerifiedOnly: String?

  @Option(name: .customLong("review-max-photos"), help: "Trust: photos per review (CRM_REVIEW_MAX_PHOTOS).")
  var reviewMaxPhotos: String?

  @Option(name: .customLong("review-complaint-rating"), help: "Trust: a published rating at or below this opens a complaint (CRM_REVIEW_COMPLAINT_RATING).")
  var reviewComplaintRating: String?

  @OptionGroup(title: "Security")
  var security: SecurityOptions

  /// Options are only ever made by parsing (an unparsed option cannot be read).
  public init() {}

  func peerFlag(_ service: SuiteService) -> String? {
    switch service {
    case .segmentation: segmentationAddress
    case .interaction: interactionAddress
    case .feedback: feedbackAddress
    case .trust: trustAddress
    case .loyalty: loyaltyAddress
    }
  }
}
