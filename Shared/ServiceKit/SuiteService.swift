/// The five services of the suite: their names, default ports and gRPC service names.
public enum SuiteService: String, CaseIterable, Sendable {
  case segmentation
  case interaction
  case feedback
  case trust
  case loyalty

  /// The port a service listens on when nothing else is configured.
  public var defaultPort: Int {
    switch self {
    case .segmentation: 50051
    case .interaction: 50052
    case .feedback: 50053
    case .trust: 50054
    case .loyalty: 50055
    }
  }

  /// The port of the Prometheus endpoint when nothing else is configured.
  public var defaultMetricsPort: Int { defaultPort - 50051 + 9451 }

  /// The executable's name, which is also the name in logs.
  public var executableName: String { "\(rawValue)-service" }

  /// The fully qualified gRPC service name, as health checks and reflection name it.
  public var grpcServiceName: String {
    "crm.\(rawValue).v1.\(rawValue.prefix(1).uppercased())\(rawValue.dropFirst())Service"
  }

  /// Prefix of this service's environment variables that other services read for its address.
  var environmentName: String { rawValue.uppercased() }
}
