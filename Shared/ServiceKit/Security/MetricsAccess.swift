/// Who may scrape `/metrics`: anyone when auth is off or metrics are open, else a bearer token
/// holding `metrics.read` (Prometheus sends one with `authorization` in its scrape config).
enum MetricsAccess {
  /// The permission a scrape needs when metrics are not open.
  static let permission = Permission("metrics", .read)

  /// The endpoint's authorizer, or nil when every scrape is allowed.
  static func authorizer(_ security: SecuritySettings, tokens: TokenVerifier?) -> MetricsEndpoint.Authorizer? {
    guard security.authEnabled, security.metricsAccess == .authenticated else { return nil }
    return { header in
      guard let tokens, let header, header.lowercased().hasPrefix("bearer ") else { return false }
      guard let (subject, scopes) = try? await tokens.verify(String(header.dropFirst(7))) else { return false }
      return CallerIdentity(name: subject, proof: .token, grants: scopes).holds(permission)
    }
  }
}
