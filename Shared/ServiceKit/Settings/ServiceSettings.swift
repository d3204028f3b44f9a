import Foundation
import GRPCNIOTransportHTTP2
import Logging

/// Everything a service needs to start, resolved from flags, then environment variables, then
/// defaults (in that order of precedence).
public struct ServiceSettings: Sendable {
  /// Which service this process is.
  public var service: SuiteService
  /// Host or IP to listen on.
  public var host: String
  /// TCP port to listen on; 0 picks a free one (tests).
  public var port: Int
  /// TCP port of the Prometheus `/metrics` endpoint (HTTP/1.1, same host); 0 picks a free one.
  public var metricsPort: Int
  /// Directory for the store and anything else the service writes.
  public var dataDirectory: String
  /// The SQLite file; by default `<data directory>/<service>.sqlite`.
  public var databasePath: String
  /// Lowest level of log line written.
  public var logLevel: Logger.Level
  /// Where the other services listen (host:port), by service.
  public var peers: [SuiteService: PeerAddress]
  /// Largest request message accepted, in bytes; larger ones fail with RESOURCE_EXHAUSTED.
  public var maxRequestBytes: Int
  /// Concurrent HTTP/2 streams allowed per connection.
  public var maxConcurrentStreams: Int
  /// Idle time after which the server pings a client to check the connection.
  public var keepaliveSeconds: Int
  /// How long in-flight RPCs get to finish after SIGTERM before they are cancelled.
  public var shutdownGraceSeconds: Int
  /// How often the service's periodic scans run (lifecycle stages, birthdays, SLA clocks,
  /// points expiry); each scan is an indexed query, so a short interval is cheap.
  public var scanIntervalSeconds: Int
  /// Deadline of a synchronous read from another service (tier, purchase checks).
  public var peerTimeoutMilliseconds: Int
  /// Segmentation: days (fractions allowed) a buyer stays new after the first purchase.
  public var lifecycleNewDays: Double
  /// Segmentation: days without activity before a profile turns dormant.
  public var lifecycleDormantDays: Double
  /// Segmentation: days without activity before a profile turns churned.
  public var lifecycleChurnedDays: Double
  /// Segmentation: hours between full re-tiers that bring tiers decided by time windows
  /// (recency, the last 12 months' spend, the last 3 months' purchases) up to date; 0 re-tiers
  /// only when the rules change.
  public var retierIntervalHours: Int

  /// TLS, caller identity, limits.
  public var security: SecuritySettings

  /// Trust: only reviews of a purchase segmentation confirms are accepted.
  public var reviewVerifiedOnly: Bool
  /// Trust: photos per review.
  public var reviewMaxPhotos: Int
  /// Trust: a published review rated at or below this opens a complaint in feedback.
  public var reviewComplaintRating: Int

  /// Settings with every default, for `service`.
  public static func defaults(for service: SuiteService) -> ServiceSettings {
    ServiceSettings(
      service: service,
      host: "127.0.0.1",
      port: service.defaultPort,
      metricsPort: service.defaultMetricsPort,
      dataDirectory: "./data",
      databasePath: "./data/\(service.rawValue).sqlite",
      logLevel: .info,
      peers: Dictionary(
        uniqueKeysWithValues: SuiteService.allCases.map {
          ($0, PeerAddress(host: "127.0.0.1", port: $0.defaultPort))
        }
      ),
      maxRequestBytes: 4 * 1024 * 1024,
      maxConcurrentStreams: 256,
      keepaliveSeconds: 60,
      shutdownGraceSeconds: 10,
      scanIntervalSeconds: 60,
      peerTimeoutMilliseconds: 1000,
      lifecycleNewDays: 30,
      lifecycleDormantDays: 90,
      lifecycleChurnedDays: 365,
      retierIntervalHours: 24,
      security: .defaults,
      reviewVerifiedOnly: false,
      reviewMaxPhotos: 9,
      reviewComplaintRating: 2
    )
  }
}

/// A peer service's address.
public struct PeerAddress: Sendable, Hashable, CustomStringConvertible {
  /// Host name or IP address.
  public var host: String
  /// TCP port.
  public var port: Int

  /// Creates an address.
  public init(host: String, port: Int) {
    self.host = host
    self.port = port
  }

  /// Parses `host:port`; nil when it is not of that form or the port is out of range.
  public init?(parsing text: String) {
    guard let colon = text.lastIndex(of: ":") else { return nil }
    let host = String(text[..<colon])
    guard !host.isEmpty, let port = Int(text[text.index(after: colon)...]), (1...65535).contains(port)
    else { return nil }
    self.init(host: host, port: port)
  }

  /// `host:port`.
  public var description: String { "\(host):\(port)" }

  /// What a client dials: an IP address as such, a name through DNS. An IP must not go through
  /// DNS, because TLS would send it as the server name (SNI), which TLS forbids and NIOSSL refuses.
  public var target: any ResolvableTarget {
    let unbracketed = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
    var ipv4 = in_addr()
    var ipv6 = in6_addr()
    if inet_pton(AF_INET, unbracketed, &ipv4) == 1 { return .ipv4(address: unbracketed, port: port) }
    if inet_pton(AF_INET6, unbracketed, &ipv6) == 1 { return .ipv6(address: unbracketed, port: port) }
    return .dns(host: host, port: port)
  }
}

/// A setting that could not be used: the process says which and exits with status 2.
public struct ConfigurationError: Error, CustomStringConvertible {
  /// The flag and environment variable of the setting.
  public var setting: String
  /// What is wrong with it.
  public var problem: String

  /// Creates an error for `setting`.
  public init(setting: String, problem: String) {
    self.setting = setting
    self.problem = problem
  }

  /// One line, naming the setting.
  public var description: String { "\(setting): \(problem)" }
}
