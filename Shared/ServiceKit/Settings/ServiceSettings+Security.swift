import Foundation

extension ServiceSettings {
  /// The configuration reference rows of the security settings.
  static let securityReference: [SettingReference] = [
    SettingReference(flag: "--tls-cert-file", environment: "CRM_TLS_CERT_FILE", defaultValue: "(none)", meaning: "PEM certificate chain of the gRPC port; with --tls-key-file turns TLS on. Re-read when the file changes."),
    SettingReference(flag: "--tls-key-file", environment: "CRM_TLS_KEY_FILE", defaultValue: "(none)", meaning: "PEM private key of the certificate."),
    SettingReference(flag: "--tls-client-ca-file", environment: "CRM_TLS_CLIENT_CA_FILE", defaultValue: "(none)", meaning: "PEM CA bundle; every client must present a certificate it signed (mTLS), whose SAN names the caller."),
    SettingReference(flag: "--tls-ca-file", environment: "CRM_TLS_CA_FILE", defaultValue: "(none)", meaning: "PEM CA bundle the other services' certificates are checked against; turns TLS on for peer reads and event delivery, presenting --tls-cert-file as client certificate."),
    SettingReference(flag: "--auth-jwt-keys-file", environment: "CRM_AUTH_JWT_KEYS_FILE", defaultValue: "(none)", meaning: "JWKS or PEM public keys that bearer tokens (ES256, RS256, EdDSA) are verified with; re-read when the file changes."),
    SettingReference(flag: "--auth-jwt-issuer", environment: "CRM_AUTH_JWT_ISSUER", defaultValue: "crm", meaning: "The `iss` every token must carry."),
    SettingReference(flag: "--auth-jwt-audience", environment: "CRM_AUTH_JWT_AUDIENCE", defaultValue: "crm", meaning: "The `aud` every token must carry."),
    SettingReference(flag: "--auth-token-file", environment: "CRM_AUTH_TOKEN_FILE", defaultValue: "(none)", meaning: "Bearer token this service sends on its calls to other services (when they take tokens rather than its certificate)."),
    SettingReference(flag: "--auth-grants-file", environment: "CRM_AUTH_GRANTS_FILE", defaultValue: "(none)", meaning: "JSON object from certificate identity to its permissions; the five services' own identities need no entry."),
    SettingReference(flag: "--reflection-access", environment: "CRM_REFLECTION_ACCESS", defaultValue: "authenticated", meaning: "open, or authenticated (`<service>.read`) when auth is on."),
    SettingReference(flag: "--metrics-access", environment: "CRM_METRICS_ACCESS", defaultValue: "authenticated", meaning: "open, or authenticated (a bearer token with `metrics.read`) when auth is on."),
    SettingReference(flag: "--rate-limit", environment: "CRM_RATE_LIMIT", defaultValue: "(none)", meaning: "Calls per second per identity and permission level, e.g. `read=500,write=100,operate=5` (bursts of twice that); past it RESOURCE_EXHAUSTED."),
    SettingReference(flag: "--max-backups", environment: "CRM_MAX_BACKUPS", defaultValue: "10", meaning: "Backup copies kept under <data-dir>/backups; a new backup removes the oldest beyond this."),
    SettingReference(flag: "--handshake-timeout-seconds", environment: "CRM_HANDSHAKE_TIMEOUT_SECONDS", defaultValue: "10", meaning: "Seconds a new connection gets to finish its TLS and HTTP/2 handshake before it is closed."),
    SettingReference(flag: "--idle-timeout-seconds", environment: "CRM_IDLE_TIMEOUT_SECONDS", defaultValue: "300", meaning: "Seconds a connection with no RPC in flight stays open."),
    SettingReference(flag: "--insecure", environment: "CRM_INSECURE", defaultValue: "false", meaning: "Allow listening beyond loopback without TLS and auth (otherwise the service refuses to start)."),
  ]

  /// Resolves the security settings; throws naming the first that cannot be used.
  static func resolveSecurity(
    _ options: SecurityOptions, host: String, environment: [String: String]
  ) throws(ConfigurationError) -> SecuritySettings {
    var security = SecuritySettings.defaults
    func given(_ flag: String?, _ flagName: String, _ variable: String) -> (value: String, name: String)? {
      if let flag { return (flag, flagName) }
      if let value = environment[variable], !value.isEmpty { return (value, variable) }
      return nil
    }
    func file(_ flag: String?, _ flagName: String, _ variable: String) throws(ConfigurationError) -> String? {
      guard let (path, name) = given(flag, flagName, variable) else { return nil }
      guard FileManager.default.isReadableFile(atPath: path) else {
        throw ConfigurationError(setting: name, problem: "cannot read '\(path)'")
      }
      return path
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
    func access(_ flag: String?, _ flagName: String, _ variable: String) throws(ConfigurationError) -> SecuritySettings.Access? {
      guard let (text, name) = given(flag, flagName, variable) else { return nil }
      guard let value = SecuritySettings.Access(rawValue: text.lowercased()) else {
        throw ConfigurationError(setting: name, problem: "'\(text)' is not open or authenticated")
      }
      return value
    }

    security.tlsCertificateFile = try file(options.tlsCertificateFile, "--tls-cert-file", "CRM_TLS_CERT_FILE")
    security.tlsKeyFile = try file(options.tlsKeyFile, "--tls-key-file", "CRM_TLS_KEY_FILE")
    if (security.tlsCertificateFile == nil) != (security.tlsKeyFile == nil) {
      throw ConfigurationError(
        setting: security.tlsKeyFile == nil ? "--tls-key-file (CRM_TLS_KEY_FILE)" : "--tls-cert-file (CRM_TLS_CERT_FILE)",
        problem: "TLS needs both a certificate and its key")
    }
    security.tlsClientCAFile = try file(options.tlsClientCAFile, "--tls-client-ca-file", "CRM_TLS_CLIENT_CA_FILE")
    if security.tlsClientCAFile != nil && !security.tlsEnabled {
      throw ConfigurationError(
        setting: "--tls-client-ca-file (CRM_TLS_CLIENT_CA_FILE)",
        problem: "client certificates need TLS: set --tls-cert-file and --tls-key-file too")
    }
    security.tlsCAFile = try file(options.tlsCAFile, "--tls-ca-file", "CRM_TLS_CA_FILE")
    security.jwtKeysFile = try file(options.authJWTKeysFile, "--auth-jwt-keys-file", "CRM_AUTH_JWT_KEYS_FILE")
    if let (issuer, _) = given(options.authJWTIssuer, "--auth-jwt-issuer", "CRM_AUTH_JWT_ISSUER") {
      security.jwtIssuer = issuer
    }
    if let (audience, _) = given(options.authJWTAudience, "--auth-jwt-audience", "CRM_AUTH_JWT_AUDIENCE") {
      security.jwtAudience = audience
    }
    security.tokenFile = try file(options.authTokenFile, "--auth-token-file", "CRM_AUTH_TOKEN_FILE")
    security.grantsFile = try file(options.authGrantsFile, "--auth-grants-file", "CRM_AUTH_GRANTS_FILE")
    if let grants = security.grantsFile {
      do {
        _ = try CertificateGrants(contentsOf: grants)
      } catch {
        throw ConfigurationError(setting: options.authGrantsFile != nil ? "--auth-grants-file" : "CRM_AUTH_GRANTS_FILE", problem: "\(error)")
      }
    }
    if let value = try access(options.reflectionAccess, "--reflection-access", "CRM_REFLECTION_ACCESS") {
      security.reflectionAccess = value
    }
    if let value = try access(options.metricsAccess, "--metrics-access", "CRM_METRICS_ACCESS") {
      security.metricsAccess = value
    }
    if let (text, name) = given(options.rateLimit, "--rate-limit", "CRM_RATE_LIMIT") {
      for part in text.split(separator: ",") {
        let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
        guard pair.count == 2, let level = Permission.Level(rawValue: pair[0]), let rate = Double(pair[1]),
          rate >= 0, rate <= 1_000_000
        else {
          throw ConfigurationError(
            setting: name,
            problem: "'\(part.prefix(40))' is not level=calls-per-second with level read, write, operate or deliver")
        }
        security.rateLimits[level] = rate
      }
    }
    if let count = try integer(options.maxBackups, "--max-backups", "CRM_MAX_BACKUPS", in: 1...10_000) {
      security.maxBackups = count
    }
    if let seconds = try integer(
      options.handshakeTimeoutSeconds, "--handshake-timeout-seconds", "CRM_HANDSHAKE_TIMEOUT_SECONDS", in: 1...3600)
    {
      security.handshakeTimeoutSeconds = seconds
    }
    if let seconds = try integer(
      options.idleTimeoutSeconds, "--idle-timeout-seconds", "CRM_IDLE_TIMEOUT_SECONDS", in: 1...86400)
    {
      security.idleTimeoutSeconds = seconds
    }
    if options.insecure {
      security.insecure = true
    } else if let text = environment["CRM_INSECURE"], !text.isEmpty {
      guard let value = Bool(text.lowercased()) else {
        throw ConfigurationError(setting: "CRM_INSECURE", problem: "'\(text.prefix(40))' is not true or false")
      }
      security.insecure = value
    }

    // Secure by default: with no door, only this machine may knock.
    if !isLoopback(host) && !(security.tlsEnabled && security.authEnabled) && !security.insecure {
      throw ConfigurationError(
        setting: "--host (CRM_HOST)",
        problem: "listening on \(host) needs TLS (--tls-cert-file, --tls-key-file) and auth (--auth-jwt-keys-file or --tls-client-ca-file), or --insecure (CRM_INSECURE=true)")
    }
    return security
  }

  /// Whether `host` is reachable from this machine only.
  static func isLoopback(_ host: String) -> Bool {
    host == "localhost" || host == "::1" || host == "[::1]" || host.hasPrefix("127.")
  }
}
