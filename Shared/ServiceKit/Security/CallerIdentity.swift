/// Who is calling: the subject of a verified bearer token, the name in a verified client
/// certificate, or nobody (auth off, or an open method).
public struct CallerIdentity: Sendable, Hashable, CustomStringConvertible {
  /// How the caller proved who it is.
  public enum Proof: String, Sendable {
    /// A bearer token verified against the configured keys.
    case token
    /// A service's certificate verified against the configured CA.
    case certificate
    /// A client's (not a service's) certificate verified against the configured CA.
    case clientCertificate
    /// None: auth is off.
    case none
  }

  /// The identity's name: a token's `sub`, or a certificate's service or client name.
  public var name: String
  /// How it was proven.
  public var proof: Proof
  /// The scopes it holds (`loyalty.read`, `*.read`, `*`...).
  public var grants: Set<String>

  /// Creates an identity.
  public init(name: String, proof: Proof, grants: Set<String>) {
    self.name = name
    self.proof = proof
    self.grants = grants
  }

  /// Anyone, when auth is off: may do everything, as before auth existed.
  public static let anonymous = CallerIdentity(name: "anonymous", proof: .none, grants: ["*"])

  /// Whether the identity holds `permission`.
  public func holds(_ permission: Permission) -> Bool {
    grants.contains { permission.isCovered(by: $0) }
  }

  /// The suite service this identity is, if it is one of the five.
  public var service: SuiteService? {
    proof == .none || proof == .clientCertificate ? nil : SuiteService(rawValue: name)
  }

  /// `token:alice`, `certificate:segmentation` or `anonymous`: what the audit trail records.
  public var description: String { proof == .none ? name : "\(proof.rawValue):\(name)" }

  /// The identity of the RPC being handled, bound by ``AccessInterceptor`` while it runs.
  @TaskLocal public static var current: CallerIdentity?
}
