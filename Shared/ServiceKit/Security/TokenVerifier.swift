import Foundation
import JWTKit
import Synchronization

/// Verifies bearer tokens against the configured key set, and re-reads the key file when it
/// changes, so a key added to or removed from the JWKS takes effect without a restart.
public final class TokenVerifier: Sendable {
  /// Why a token was refused; callers see only "invalid token", the log gets the reason.
  public struct Rejection: Error, CustomStringConvertible {
    /// What was wrong.
    public var reason: String
    public var description: String { reason }
  }

  /// The claims a token of this suite carries.
  struct Claims: JWTPayload {
    var iss: IssuerClaim
    var aud: AudienceClaim
    var sub: SubjectClaim
    var exp: ExpirationClaim
    var nbf: NotBeforeClaim?
    var scope: String?

    func verify(using algorithm: some JWTAlgorithm) async throws {
      try exp.verifyNotExpired()
      try nbf?.verifyNotBefore()
    }
  }

  /// Tokens longer than this are refused unread: no identity needs 8 KiB.
  public static let maxTokenBytes = 8 * 1024

  private let path: String
  private let issuer: String
  private let audience: String
  private struct Loaded: Sendable {
    var keys: JWTKeyCollection
    var modified: Date?
    var checked: ContinuousClock.Instant
  }
  private let loaded: Mutex<Loaded>

  /// Tokens verified lately, so a caller that sends the same token on every RPC pays for the
  /// signature check once: kept until the token expires or for `cacheLifetime`, whichever is
  /// first, and dropped whenever the key file changes (a removed key takes effect at once).
  private struct Verified: Sendable {
    var subject: String
    var scopes: Set<String>
    var validUntil: Date
  }
  private let verified = Mutex<[String: Verified]>([:])
  /// How long a verified token is trusted without checking its signature again.
  static let cacheLifetime: TimeInterval = 30
  /// Most tokens remembered; past it the cache starts over.
  static let cacheSize = 4096

  /// Loads the keys at `path` (a JWKS, or PEM public keys); throws when none can be used.
  public init(keysFile path: String, issuer: String, audience: String) async throws {
    self.path = path
    self.issuer = issuer
    self.audience = audience
    let keys = try await Self.load(path)
    loaded = Mutex(Loaded(keys: keys, modified: FileModification.date(of: path), checked: .now))
  }

  /// The identity a token proves, or a ``Rejection``.
  public func verify(_ token: String) async throws(Rejection) -> (subject: String, scopes: Set<String>) {
    guard token.utf8.count <= Self.maxTokenBytes else { throw Rejection(reason: "token longer than 8 KiB") }
    let keys = await currentKeys()
    let now = Date()
    if let hit = verified.withLock({ $0[token] }), hit.validUntil > now {
      return (hit.subject, hit.scopes)
    }
    let claims: Claims
    do {
      claims = try await keys.verify(token, as: Claims.self)
    } catch {
      throw Rejection(reason: "\(error)".prefix(200).description)
    }
    guard claims.iss.value == issuer else { throw Rejection(reason: "issuer is not \(issuer)") }
    guard claims.aud.value.contains(audience) else { throw Rejection(reason: "audience is not \(audience)") }
    guard !claims.sub.value.isEmpty, claims.sub.value.utf8.count <= 200 else {
      throw Rejection(reason: "subject is empty or too long")
    }
    let scopes = Set((claims.scope ?? "").split(separator: " ").map(String.init))
    let entry = Verified(
      subject: claims.sub.value, scopes: scopes,
      validUntil: min(claims.exp.value, now.addingTimeInterval(Self.cacheLifetime)))
    verified.withLock { cache in
      if cache.count >= Self.cacheSize { cache.removeAll(keepingCapacity: true) }
      cache[token] = entry
    }
    return (claims.sub.value, scopes)
  }

  /// The key set, re-read at most once a second when the file's modification time changed.
  private func currentKeys() async -> JWTKeyCollection {
    let now = ContinuousClock.now
    let (keys, due) = loaded.withLock { state -> (JWTKeyCollection, Bool) in
      let due = now - state.checked >= .seconds(1)
      if due { state.checked = now }
      return (state.keys, due)
    }
    guard due else { return keys }
    let modified = FileModification.date(of: path)
    guard modified != loaded.withLock({ $0.modified }) else { return keys }
    // A file caught half-written keeps the old keys until the next look.
    guard let fresh = try? await Self.load(path) else { return keys }
    loaded.withLock {
      $0.keys = fresh
      $0.modified = modified
    }
    verified.withLock { $0.removeAll() }
    return fresh
  }

  /// A JWKS document, or one or more PEM public keys (EC P-256/P-384, RSA, Ed25519).
  static func load(_ path: String) async throws -> JWTKeyCollection {
    let text = try String(contentsOfFile: path, encoding: .utf8)
    let keys = JWTKeyCollection()
    if text.trimmingCharacters(in: .whitespacesAndNewlines).hasPrefix("{") {
      try await keys.add(jwksJSON: text)
      return keys
    }
    let blocks = text.components(separatedBy: "-----END PUBLIC KEY-----")
      .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
      .filter { $0.contains("-----BEGIN PUBLIC KEY-----") }
      .map { $0 + "\n-----END PUBLIC KEY-----\n" }
    guard !blocks.isEmpty else { throw TokenVerifier.Rejection(reason: "no JWKS and no PEM public key in \(path)") }
    for (index, pem) in blocks.enumerated() {
      let kid = JWKIdentifier(string: "pem-\(index)")
      if let key = try? ES256PublicKey(pem: pem) {
        await keys.add(ecdsa: key, kid: kid)
      } else if let key = try? ES384PublicKey(pem: pem) {
        await keys.add(ecdsa: key, kid: kid)
      } else if let key = try? Insecure.RSA.PublicKey(pem: pem) {
        await keys.add(rsa: key, digestAlgorithm: .sha256, kid: kid)
      } else {
        throw TokenVerifier.Rejection(reason: "public key \(index + 1) in \(path) is not EC P-256, P-384 or RSA")
      }
    }
    return keys
  }
}
