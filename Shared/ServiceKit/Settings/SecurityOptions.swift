import ArgumentParser

/// The command-line flags of the security settings (TLS, caller identity, limits); part of
/// ``ServiceOptions``. Each falls back to its environment variable, then to the default.
public struct SecurityOptions: ParsableArguments, Sendable {
  @Option(name: .customLong("tls-cert-file"), help: "PEM certificate chain of the gRPC port; with --tls-key-file turns TLS on (CRM_TLS_CERT_FILE).")
  var tlsCertificateFile: String?

  @Option(name: .customLong("tls-key-file"), help: "PEM private key of --tls-cert-file (CRM_TLS_KEY_FILE).")
  var tlsKeyFile: String?

  @Option(name: .customLong("tls-client-ca-file"), help: "PEM CA bundle: clients must present a certificate it signed (mTLS) (CRM_TLS_CLIENT_CA_FILE).")
  var tlsClientCAFile: String?

  @Option(name: .customLong("tls-ca-file"), help: "PEM CA bundle that peers' certificates are checked against; turns TLS on for calls to other services (CRM_TLS_CA_FILE).")
  var tlsCAFile: String?

  @Option(name: .customLong("auth-jwt-keys-file"), help: "JWKS (JSON) or PEM public key(s) that bearer tokens are verified with (CRM_AUTH_JWT_KEYS_FILE).")
  var authJWTKeysFile: String?

  @Option(name: .customLong("auth-jwt-issuer"), help: "Required `iss` of bearer tokens (CRM_AUTH_JWT_ISSUER).")
  var authJWTIssuer: String?

  @Option(name: .customLong("auth-jwt-audience"), help: "Required `aud` of bearer tokens (CRM_AUTH_JWT_AUDIENCE).")
  var authJWTAudience: String?

  @Option(name: .customLong("auth-token-file"), help: "Bearer token this service presents to other services (CRM_AUTH_TOKEN_FILE).")
  var authTokenFile: String?

  @Option(name: .customLong("auth-grants-file"), help: "JSON object: certificate identity -> permissions (CRM_AUTH_GRANTS_FILE).")
  var authGrantsFile: String?

  @Option(name: .customLong("reflection-access"), help: "open or authenticated (CRM_REFLECTION_ACCESS).")
  var reflectionAccess: String?

  @Option(name: .customLong("metrics-access"), help: "open or authenticated (CRM_METRICS_ACCESS).")
  var metricsAccess: String?

  @Option(name: .customLong("rate-limit"), help: "Calls per second per identity and permission level, e.g. read=500,write=100,operate=5; 0 is no limit (CRM_RATE_LIMIT).")
  var rateLimit: String?

  @Option(name: .customLong("max-backups"), help: "Backup copies kept; the oldest are removed (CRM_MAX_BACKUPS).")
  var maxBackups: String?

  @Option(name: .customLong("handshake-timeout-seconds"), help: "Seconds a new connection gets to finish its TLS and HTTP/2 handshake (CRM_HANDSHAKE_TIMEOUT_SECONDS).")
  var handshakeTimeoutSeconds: String?

  @Option(name: .customLong("idle-timeout-seconds"), help: "Seconds a connection with no RPC stays open (CRM_IDLE_TIMEOUT_SECONDS).")
  var idleTimeoutSeconds: String?

  @Flag(name: .customLong("insecure"), help: "Allow listening beyond loopback without TLS and auth (CRM_INSECURE=true).")
  var insecure = false

  /// Options are only ever made by parsing.
  public init() {}
}
