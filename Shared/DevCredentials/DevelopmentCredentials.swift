import Crypto
import Foundation
import X509

/// A development certificate authority and token signer in one directory: what `crm up --secure`
/// and the tests use to run the suite with TLS, client certificates and bearer tokens without an
/// outside PKI. Nothing here is fit for production: the CA key sits beside the certificates.
///
/// The layout under ``directory``:
///
/// ```
/// ca.pem  ca.key                       the CA (P-256, self-signed)
/// services/<name>.pem  .key            one leaf per service (spiffe://crm/service/<name>)
/// clients/<name>.pem   .key            one leaf per client  (spiffe://crm/client/<name>)
/// jwt/jwks.json  jwt/signing-key.pem   the token verification keys (public) and signing key
/// tokens/<name>.jwt                    a token per service and client, minted at creation
/// ```
///
/// Private keys are written with mode 600; everything is PEM.
public struct DevelopmentCredentials: Sendable {
  /// The directory everything is in.
  public let directory: URL
  /// The services that have a certificate, sorted.
  public let services: [String]
  /// The clients that have a certificate, sorted.
  public let clients: [String]

  /// Scopes of the token minted for every service: segmentation's reads and event delivery.
  public static let serviceScopes = ["segmentation.read", "events.deliver"]
  /// Scopes of the token minted for the client `operator`: everything.
  public static let operatorScopes = ["*"]
  /// Scopes of the token minted for any other client: every read.
  public static let clientScopes = ["*.read"]
  /// Lifetime of the leaf certificates unless told otherwise: a year.
  public static let defaultValidity: Duration = .seconds(365 * 86_400)
  /// Lifetime of the tokens minted at creation unless told otherwise: 30 days.
  public static let defaultTokenLifetime: Duration = .seconds(30 * 86_400)

  /// The CA certificate: what services and clients trust.
  public var caCertificate: URL { directory.appendingPathComponent("ca.pem") }
  /// The CA's private key.
  public var caPrivateKey: URL { directory.appendingPathComponent("ca.key") }
  /// The public keys tokens are verified with, as a JWKS (each key with its `kid`).
  public var jwks: URL { directory.appendingPathComponent("jwt/jwks.json") }
  /// The private key tokens are signed with (P-256, PEM).
  public var signingKey: URL { directory.appendingPathComponent("jwt/signing-key.pem") }

  /// The files of service `name` (whether or not they exist).
  public func service(_ name: String) -> Identity { Identity(name: name, kind: .service, directory: directory) }

  /// The files of client `name` (whether or not they exist).
  public func client(_ name: String) -> Identity { Identity(name: name, kind: .client, directory: directory) }

  /// Whether `directory` holds development credentials (its CA certificate exists).
  public static func exist(in directory: URL) -> Bool {
    FileManager.default.fileExists(atPath: directory.appendingPathComponent("ca.pem").path)
  }

  /// Creates a CA, a certificate for every service and client, the token signing key with its
  /// JWKS, and a token per identity (services: ``serviceScopes``; `operator`: ``operatorScopes``;
  /// other clients: ``clientScopes``). Refuses a directory that already holds a CA.
  public static func create(
    in directory: URL, services: [String], clients: [String],
    validity: Duration = defaultValidity, tokenLifetime: Duration = defaultTokenLifetime,
    issuer: String = "crm", audience: String = "crm"
  ) throws -> DevelopmentCredentials {
    for name in services + clients where !Identity.isValidName(name) {
      throw DevelopmentCredentialsError("'\(name)' is not a name of lowercase letters, digits and '-'")
    }
    guard Set(services).count == services.count, Set(clients).count == clients.count else {
      throw DevelopmentCredentialsError("a service or client is named twice")
    }
    guard validity > .zero, tokenLifetime > .zero else {
      throw DevelopmentCredentialsError("validity and token lifetime must be positive")
    }
    if exist(in: directory) {
      throw DevelopmentCredentialsError("\(directory.path) already holds development credentials")
    }
    let credentials = DevelopmentCredentials(directory: directory, services: services.sorted(), clients: clients.sorted())
    let files = CredentialFiles(directory: directory)
    try files.makeDirectories(["services", "clients", "jwt", "tokens"])

    let now = Date()
    let authority = try CertificateAuthority(now: now, validity: validity)
    for identity in credentials.identities {
      let key = P256.Signing.PrivateKey()
      let certificate = try authority.issue(for: identity, publicKey: key.publicKey, now: now, validity: validity)
      try files.write(certificate: certificate, to: identity.certificate)
      try files.write(secret: key.pemRepresentation, to: identity.privateKey)
    }
    try files.write(secret: authority.key.pemRepresentation, to: credentials.caPrivateKey)

    let signer = TokenSigner(key: P256.Signing.PrivateKey())
    try files.write(secret: signer.key.pemRepresentation, to: credentials.signingKey)
    try files.write(text: try signer.jwksJSON(), to: credentials.jwks, mode: 0o644)
    for identity in credentials.identities {
      let scopes: [String] =
        switch identity.kind {
        case .service: serviceScopes
        case .client: identity.name == "operator" ? operatorScopes : clientScopes
        }
      let token = try signer.sign(
        subject: identity.name, scopes: scopes, lifetime: tokenLifetime, issuer: issuer, audience: audience, now: now)
      try files.write(secret: token + "\n", to: identity.token)
    }
    // The CA certificate last: it is what marks the directory as complete.
    try files.write(certificate: authority.certificate, to: credentials.caCertificate)
    return credentials
  }

  /// Opens credentials made by ``create(in:services:clients:validity:tokenLifetime:issuer:audience:)``;
  /// the services and clients are those with a certificate and a key.
  public static func load(from directory: URL) throws -> DevelopmentCredentials {
    guard exist(in: directory) else {
      throw DevelopmentCredentialsError("\(directory.path) holds no development credentials (no ca.pem)")
    }
    func names(_ kind: Identity.Kind) -> [String] {
      let folder = directory.appendingPathComponent(kind.folder)
      let entries = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
      return entries.filter { $0.hasSuffix(".pem") }.map { String($0.dropLast(4)) }
        .filter { FileManager.default.fileExists(atPath: folder.appendingPathComponent("\($0).key").path) }
        .sorted()
    }
    let credentials = DevelopmentCredentials(directory: directory, services: names(.service), clients: names(.client))
    for required in [credentials.jwks, credentials.signingKey] where !FileManager.default.fileExists(atPath: required.path) {
      throw DevelopmentCredentialsError("\(required.path) is missing")
    }
    return credentials
  }

  /// A fresh token signed with ``signingKey``: `sub` is `subject`, `scope` the scopes separated
  /// by spaces, `exp` `lifetime` from now.
  public func token(
    subject: String, scopes: [String], lifetime: Duration, issuer: String = "crm", audience: String = "crm"
  ) async throws -> String {
    guard !subject.isEmpty, lifetime > .zero else {
      throw DevelopmentCredentialsError("a token needs a subject and a positive lifetime")
    }
    let signer = try TokenSigner(pemFile: signingKey)
    return try signer.sign(
      subject: subject, scopes: scopes, lifetime: lifetime, issuer: issuer, audience: audience, now: Date())
  }

  private var identities: [Identity] { services.map(service) + clients.map(client) }
}

/// Why development credentials could not be made or read.
public struct DevelopmentCredentialsError: Error, CustomStringConvertible, Sendable {
  /// What went wrong.
  public var description: String

  init(_ description: String) { self.description = description }
}
