import Foundation
import Logging

/// One row of the configuration reference: a setting's flag, variable, default and meaning.
public struct SettingReference: Sendable {
  /// The command-line flag.
  public var flag: String
  /// The environment variable read when the flag is absent.
  public var environment: String
  /// The default when neither is given.
  public var defaultValue: String
  /// What it does.
  public var meaning: String
}

extension ServiceSettings {
  /// Every setting a service reads, in the order the README's reference lists them.
  public static let reference: [SettingReference] =
    [
      SettingReference(flag: "--host", environment: "CRM_HOST", defaultValue: "127.0.0.1", meaning: "Host or IP to listen on."),
      SettingReference(flag: "--port", environment: "CRM_PORT", defaultValue: "50051..50055 by service", meaning: "TCP port to listen on; 0 picks a free one."),
      SettingReference(flag: "--metrics-port", environment: "CRM_METRICS_PORT", defaultValue: "9451..9455 by service", meaning: "Port of the Prometheus /metrics endpoint (HTTP/1.1); 0 picks a free one."),
      SettingReference(flag: "--data-dir", environment: "CRM_DATA_DIR", defaultValue: "./data", meaning: "Directory for the service's store; created if missing."),
      SettingReference(flag: "--database", environment: "CRM_DATABASE", defaultValue: "<data-dir>/<service>.sqlite", meaning: "The SQLite file of the store."),
      SettingReference(flag: "--log-level", environment: "CRM_LOG_LEVEL", defaultValue: "info", meaning: "trace, debug, info, notice, warning, error or critical."),
    ]
    + SuiteService.allCases.map {
      SettingReference(
        flag: "--\($0.rawValue)-addr", environment: "CRM_\($0.environmentName)_ADDR",
        defaultValue: "127.0.0.1:\($0.defaultPort)", meaning: "host:port of the \($0.rawValue) service.")
    }
    + [
      SettingReference(flag: "--max-request-bytes", environment: "CRM_MAX_REQUEST_BYTES", defaultValue: "4194304", meaning: "Largest request message accepted; larger is RESOURCE_EXHAUSTED."),
      SettingReference(flag: "--max-concurrent-streams", environment: "CRM_MAX_CONCURRENT_STREAMS", defaultValue: "256", meaning: "Concurrent HTTP/2 streams per connection."),
      SettingReference(flag: "--keepalive-seconds", environment: "CRM_KEEPALIVE_SECONDS", defaultValue: "60", meaning: "Idle seconds before the server pings a client."),
      SettingReference(flag: "--shutdown-grace-seconds", environment: "CRM_SHUTDOWN_GRACE_SECONDS", defaultValue: "10", meaning: "Seconds in-flight RPCs get to finish after SIGTERM."),
      SettingReference(flag: "--scan-interval-seconds", environment: "CRM_SCAN_INTERVAL_SECONDS", defaultValue: "60", meaning: "How often periodic scans run: lifecycle stages (segmentation), birthdays and anniversaries (interaction), SLA clocks and escalations (feedback), points expiry (loyalty)."),
      SettingReference(flag: "--peer-timeout-ms", environment: "CRM_PEER_TIMEOUT_MS", defaultValue: "1000", meaning: "Deadline of a synchronous read from another service; past it the read falls back or fails UNAVAILABLE."),
      SettingReference(flag: "--lifecycle-new-days", environment: "CRM_LIFECYCLE_NEW_DAYS", defaultValue: "30", meaning: "Segmentation: a buyer is new this many days after the first purchase (fractions allowed)."),
      SettingReference(flag: "--lifecycle-dormant-days", environment: "CRM_LIFECYCLE_DORMANT_DAYS", defaultValue: "90", meaning: "Segmentation: a profile turns dormant after this many days without activity."),
      SettingReference(flag: "--lifecycle-churned-days", environment: "CRM_LIFECYCLE_CHURNED_DAYS", defaultValue: "365", meaning: "Segmentation: a profile turns churned after this many days without activity; more than the dormant window."),
      SettingReference(flag: "--retier-interval-hours", environment: "CRM_RETIER_INTERVAL_HOURS", defaultValue: "24", meaning: "Segmentation: hours between full background re-tiers, so tiers that compare time windows (recency, annual spend, purchases in 3 months) stay current without a write; 0 re-tiers only when the rules change."),
      SettingReference(flag: "--review-verified-only", environment: "CRM_REVIEW_VERIFIED_ONLY", defaultValue: "false", meaning: "Trust: accept reviews of purchases segmentation confirms only (others are FAILED_PRECONDITION)."),
      SettingReference(flag: "--review-max-photos", environment: "CRM_REVIEW_MAX_PHOTOS", defaultValue: "9", meaning: "Trust: photos per review; more is INVALID_ARGUMENT."),
      SettingReference(flag: "--review-complaint-rating", environment: "CRM_REVIEW_COMPLAINT_RATING", defaultValue: "2", meaning: "Trust: a published review rated at or below this opens a complaint in feedback; 0 opens none."),
    ]
    + securityReference

  /// Resolves flags, then environment variables, then defaults; throws a
  /// ``ConfigurationError`` naming the first setting whose value cannot be used.
  public static func resolve(
    _ options: ServiceOptions,
    service: SuiteService,
    environment: [String: String] = ProcessInfo.processInfo.environment
  ) throws(ConfigurationError) -> ServiceSettings {
    var settings = ServiceSettings.defaults(for: service)

    /// The given value of a setting and how to name it in an error, or nil when not given.
    func given(_ flag: String?, _ flagName: String, _ variable: String) -> (value: String, name: String)? {
      if let flag { return (flag, flagName) }
      if let value = environment[variable] { return (value, variable) }
      return nil
    }
    func integer(_ flag: String?, _ flagName: String, _ variable: String, in range: ClosedRange<Int>)
      throws(ConfigurationError) -> Int?
    {
      guard let (text, name) = given(flag, flagName, variable) else { return nil }
      guard let value = Int(text.trimmingCharacters(in: .whitespaces)), range.contains(value) else {
        throw ConfigurationError(
          setting: name, problem: "'\(text)' is not a whole number from \(range.lowerBound) to \(range.upperBound)")
      }
      return value
    }

    if let (host, name) = given(options.host, "--host", "CRM_HOST") {
      guard !host.isEmpty, !host.contains(where: \.isWhitespace) else {
        throw ConfigurationError(setting: name, problem: "'\(host)' is not a host name or IP address")
      }
      settings.host = host
    }
    if let port = try integer(options.port, "--port", "CRM_PORT", in: 0...65535) { settings.port = port }
    if let port = try integer(options.metricsPort, "--metrics-port", "CRM_METRICS_PORT", in: 0...65535) {
      settings.metricsPort = port
    }

    let dataDirectory = given(options.dataDirectory, "--data-dir", "CRM_DATA_DIR")
    if let (directory, name) = dataDirectory {
      guard !directory.isEmpty else { throw ConfigurationError(setting: name, problem: "must not be empty") }
      settings.dataDirectory = directory
    }
    if let (path, name) = given(options.databasePath, "--database", "CRM_DATABASE") {
      guard !path.isEmpty else { throw ConfigurationError(setting: name, problem: "must not be empty") }
      settings.databasePath = path
    } else {
      settings.databasePath = (settings.dataDirectory as NSString)
        .appendingPathComponent("\(service.rawValue).sqlite")
    }
    if let (level, name) = given(options.logLevel, "--log-level", "CRM_LOG_LEVEL") {
      guard let parsed = Logger.Level(rawValue: level.lowercased()) else {
        throw ConfigurationError(
          setting: name, problem: "'\(level)' is not one of trace, debug, info, notice, warning, error, critical")
      }
      settings.logLevel = parsed
    }
    for peer in SuiteService.allCases {
      let variable = "CRM_\(peer.environmentName)_ADDR"
      if let (text, name) = given(options.peerFlag(peer), "--\(peer.rawValue)-addr", variable) {
        guard let address = PeerAddress(parsing: text) else {
          throw ConfigurationError(setting: name, problem: "'\(text)' is not host:port with a port from 1 to 65535")
        }
        settings.peers[peer] = address
      }
    }
    if let bytes = try integer(
      options.maxRequestBytes, "--max-request-bytes", "CRM_MAX_REQUEST_BYTES", in: 1024...(64 * 1024 * 1024))
    {
      settings.maxRequestBytes = bytes
    }
    if let streams = try integer(
      options.maxConcurrentStreams, "--max-concurrent-streams", "CRM_MAX_CONCURRENT_STREAMS", in: 1...65535)
    {
      settings.maxConcurrentStreams = streams
    }
    if let seconds = try integer(
      options.keepaliveSeconds, "--keepalive-seconds", "CRM_KEEPALIVE_SECONDS", in: 1...86400)
    {
      settings.keepaliveSeconds = seconds
    }
    if let seconds = try integer(
      options.shutdownGraceSeconds, "--shutdown-grace-seconds", "CRM_SHUTDOWN_GRACE_SECONDS", in: 0...3600)
    {
      settings.shutdownGraceSeconds = seconds
    }
    if let seconds = try integer(
      options.scanIntervalSeconds, "--scan-interval-seconds", "CRM_SCAN_INTERVAL_SECONDS", in: 1...86400)
    {
      settings.scanIntervalSeconds = seconds
    }
    if let milliseconds = try integer(
      options.peerTimeoutMilliseconds, "--peer-timeout-ms", "CRM_PEER_TIMEOUT_MS", in: 10...60000)
    {
      settings.peerTimeoutMilliseconds = milliseconds
    }
    func days(_ flag: String?, _ flagName: String, _ variable: String) throws(ConfigurationError) -> Double? {
      guard let (text, name) = given(flag, flagName, variable) else { return nil }
      guard let value = Double(text.trimmingCharacters(in: .whitespaces)), value > 0, value <= 36_500 else {
        throw ConfigurationError(setting: name, problem: "'\(text)' is not a number of days above 0 and at most 36500")
      }
      return value
    }
    if let value = try days(options.lifecycleNewDays, "--lifecycle-new-days", "CRM_LIFECYCLE_NEW_DAYS") {
      settings.lifecycleNewDays = value
    }
    if let value = try days(options.lifecycleDormantDays, "--lifecycle-dormant-days", "CRM_LIFECYCLE_DORMANT_DAYS") {
      settings.lifecycleDormantDays = value
    }
    if let value = try days(options.lifecycleChurnedDays, "--lifecycle-churned-days", "CRM_LIFECYCLE_CHURNED_DAYS") {
      settings.lifecycleChurnedDays = value
    }
    if let hours = try integer(
      options.retierIntervalHours, "--retier-interval-hours", "CRM_RETIER_INTERVAL_HOURS", in: 0...8760)
    {
      settings.retierIntervalHours = hours
    }
    if let (text, name) = given(options.reviewVerifiedOnly, "--review-verified-only", "CRM_REVIEW_VERIFIED_ONLY") {
      guard let value = Bool(text.trimmingCharacters(in: .whitespaces).lowercased()) else {
        throw ConfigurationError(setting: name, problem: "'\(text)' is not true or false")
      }
      settings.reviewVerifiedOnly = value
    }
    if let photos = try integer(options.reviewMaxPhotos, "--review-max-photos", "CRM_REVIEW_MAX_PHOTOS", in: 0...50) {
      settings.reviewMaxPhotos = photos
    }
    if let rating = try integer(
      options.reviewComplaintRating, "--review-complaint-rating", "CRM_REVIEW_COMPLAINT_RATING", in: 0...5)
    {
      settings.reviewComplaintRating = rating
    }
    settings.security = try resolveSecurity(options.security, host: settings.host, environment: environment)
    guard settings.lifecycleChurnedDays > settings.lifecycleDormantDays else {
      throw ConfigurationError(
        setting: options.lifecycleChurnedDays != nil ? "--lifecycle-churned-days" : "CRM_LIFECYCLE_CHURNED_DAYS",
        problem: "must be more than the dormant window (\(settings.lifecycleDormantDays) days)")
    }
    return settings
  }
}
