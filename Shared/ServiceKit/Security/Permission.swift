/// What a caller must be allowed to do to call an RPC: a scope such as `loyalty.read` or
/// `events.deliver`, granted by a token's `scope` claim or a certificate identity's grants.
public struct Permission: Sendable, Hashable, Comparable, CustomStringConvertible {
  /// How much an RPC can change: what rate limits and the audit trail are keyed by.
  public enum Level: String, Sendable, CaseIterable, Comparable {
    /// Reads nothing but the service's own data back.
    case read
    /// Changes data the way the service's callers do every day.
    case write
    /// Changes how the service behaves or touches data wholesale: rules, programs, erase and
    /// export, claim decisions, manual points, scans, backups. Every call is audited.
    case operate
    /// Delivers events between the services.
    case deliver

    public static func < (lhs: Level, rhs: Level) -> Bool {
      allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
  }

  /// The scope's first part: a service name, or `events`.
  public var resource: String
  /// The scope's second part.
  public var level: Level

  /// A permission on `resource`.
  public init(_ resource: String, _ level: Level) {
    self.resource = resource
    self.level = level
  }

  /// `read` on `service`.
  public static func read(_ service: SuiteService) -> Permission { Permission(service.rawValue, .read) }
  /// `write` on `service`.
  public static func write(_ service: SuiteService) -> Permission { Permission(service.rawValue, .write) }
  /// `operate` on `service`.
  public static func operate(_ service: SuiteService) -> Permission { Permission(service.rawValue, .operate) }
  /// Event delivery between the services: `events.deliver`.
  public static let deliverEvents = Permission("events", .deliver)

  /// `resource.level`, as in a token's scope.
  public var description: String { "\(resource).\(level.rawValue)" }

  public static func < (lhs: Permission, rhs: Permission) -> Bool { lhs.description < rhs.description }

  /// Whether a granted scope (`loyalty.read`, `loyalty.*`, `*.read` or `*`) covers this permission.
  public func isCovered(by grant: String) -> Bool {
    if grant == "*" || grant == description { return true }
    guard let dot = grant.firstIndex(of: ".") else { return false }
    let resource = grant[..<dot], level = grant[grant.index(after: dot)...]
    return (resource == "*" || resource == self.resource) && (level == "*" || level == self.level.rawValue)
  }
}

/// What an RPC requires.
public enum MethodAccess: Sendable, Hashable {
  /// Anyone may call it (health probes).
  case open
  /// The caller must hold the permission.
  case requires(Permission)
}
