import Foundation

/// How a service protects its port and identifies itself to its peers: TLS, caller identity,
/// access to reflection and metrics, rate limits and connection limits.
public struct SecuritySettings: Sendable {
  /// Whether an endpoint besides the RPCs (reflection, metrics) needs a credential.
  public enum Access: String, Sendable {
    /// Anyone who reaches the port.
    case open
    /// A caller with a valid credential (reflection: `<service>.read`; metrics: `metrics.read`).
    case authenticated
  }

  /// PEM certificate chain of the gRPC port; TLS is on when it and ``tlsKeyFile`` are set.
  public var tlsCertificateFile: String?
  /// PEM private key of ``tlsCertificateFile``.
  public var tlsKeyFile: String?
  /// PEM CA bundle that client certificates must chain to; set, every client needs one (mTLS).
  public var tlsClientCAFile: String?
  /// PEM CA bundle that peers' server certificates are verified against; set, calls to other
  /// services use TLS (and present ``tlsCertificateFile`` as the client certificate).
  public var tlsCAFile: String?
  /// JWKS or PEM public keys that bearer tokens are verified against; set, bearer tokens are
  /// accepted as caller identity.
  public var jwtKeysFile: String?
  /// The `iss` a token must carry.
  public var jwtIssuer: String
  /// The `aud` a token must carry (one of its audiences).
  public var jwtAudience: String
  /// A bearer token this service sends on its own calls to other services.
  public var tokenFile: String?
  /// JSON object: certificate identity -> permissions it holds.
  public var grantsFile: String?
  /// Who may call server reflection when auth is on.
  public var reflectionAccess: Access
  /// Who may read `/metrics` when auth is on.
  public var metricsAccess: Access
  /// Calls per second per identity at each permission level; absent or 0 is no limit.
  public var rateLimits: [Permission.Level: Double]
  /// Backup copies kept under `<data-dir>/backups`; a new backup removes the oldest beyond it.
  public var maxBackups: Int
  /// Seconds a new connection has to finish its TLS and HTTP/2 handshake before it is closed.
  public var handshakeTimeoutSeconds: Int
  /// Seconds a connection may stay open with no RPC before it is closed.
  public var idleTimeoutSeconds: Int
  /// Listening beyond loopback without TLS and auth was asked for explicitly.
  public var insecure: Bool

  /// TLS is on for the gRPC port.
  public var tlsEnabled: Bool { tlsCertificateFile != nil && tlsKeyFile != nil }
  /// Callers must identify themselves (a token or a client certificate).
  public var authEnabled: Bool { jwtKeysFile != nil || tlsClientCAFile != nil }

  /// Everything off: plaintext, no identity, loopback only.
  public static let defaults = SecuritySettings(
    tlsCertificateFile: nil, tlsKeyFile: nil, tlsClientCAFile: nil, tlsCAFile: nil,
    jwtKeysFile: nil, jwtIssuer: "crm", jwtAudience: "crm", tokenFile: nil, grantsFile: nil,
    reflectionAccess: .authenticated, metricsAccess: .authenticated, rateLimits: [:],
    maxBackups: 10, handshakeTimeoutSeconds: 10, idleTimeoutSeconds: 300, insecure: false)
}
