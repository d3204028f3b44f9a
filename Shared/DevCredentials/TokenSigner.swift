import Crypto
import Foundation
import JWTKit

/// Signs the suite's bearer tokens (ES256 JWS compact serialisation) and publishes the key that
/// verifies them as a JWKS. Signing is synchronous (swift-crypto's P-256), so creating the
/// credentials directory needs no async context; jwt-kit's types give the JWKS its shape and the
/// tests verify every token with jwt-kit, as the services do.
struct TokenSigner {
  let key: P256.Signing.PrivateKey

  init(key: P256.Signing.PrivateKey) {
    self.key = key
  }

  init(pemFile url: URL) throws {
    let text = try String(contentsOf: url, encoding: .utf8)
    do {
      key = try P256.Signing.PrivateKey(pemRepresentation: text)
    } catch {
      throw DevelopmentCredentialsError("\(url.path) is not a P-256 private key: \(error)")
    }
  }

  /// The RFC 7638 thumbprint of the public key: a `kid` that names the key and nothing else.
  var keyID: String {
    let (x, y) = coordinates
    let canonical = #"{"crv":"P-256","kty":"EC","x":"\#(x)","y":"\#(y)"}"#
    return Base64URL.encode(Data(SHA256.hash(data: Data(canonical.utf8))))
  }

  /// The public key's x and y, base64url.
  private var coordinates: (x: String, y: String) {
    // x963: 0x04 || x (32 bytes) || y (32 bytes).
    let point = key.publicKey.x963Representation
    return (Base64URL.encode(point.dropFirst().prefix(32)), Base64URL.encode(point.suffix(32)))
  }

  /// `{"keys": [the public key]}` with its `kid`, `alg` ES256 and `use` sig.
  func jwksJSON() throws -> String {
    let (x, y) = coordinates
    let jwk = JWK.ecdsa(.es256, identifier: JWKIdentifier(string: keyID), x: x, y: y, curve: .p256)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    var text = String(decoding: try encoder.encode(JWKS(keys: [jwk])), as: UTF8.self)
    // JWK has no `use`; services ignore it, other verifiers like to see it.
    if let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: [[String: Any]]],
      var keys = object["keys"]
    {
      for index in keys.indices { keys[index]["use"] = "sig" }
      text = String(
        decoding: try JSONSerialization.data(withJSONObject: ["keys": keys], options: [.prettyPrinted, .sortedKeys]),
        as: UTF8.self)
    }
    return text + "\n"
  }

  /// A signed token: `iss`, `aud`, `sub`, `iat`, `nbf`, `exp` and `scope`.
  func sign(
    subject: String, scopes: [String], lifetime: Duration, issuer: String, audience: String, now: Date
  ) throws -> String {
    let issued = Int(now.timeIntervalSince1970)
    let claims = TokenClaims(
      iss: issuer, aud: audience, sub: subject, iat: issued, nbf: issued - 60,
      exp: issued + Int(lifetime.timeInterval.rounded(.up)), scope: scopes.joined(separator: " "))
    let header = TokenHeader(alg: "ES256", typ: "JWT", kid: keyID)
    let encoder = JSONEncoder()
    encoder.outputFormatting = .sortedKeys
    let input = Base64URL.encode(try encoder.encode(header)) + "." + Base64URL.encode(try encoder.encode(claims))
    // ES256: ECDSA P-256 over SHA-256 of the input, r || s (64 bytes).
    let signature = try key.signature(for: Data(input.utf8)).rawRepresentation
    return input + "." + Base64URL.encode(signature)
  }
}

/// The JOSE header of a token.
private struct TokenHeader: Encodable {
  var alg: String
  var typ: String
  var kid: String
}

/// The claims of a token, as the services read them.
private struct TokenClaims: Encodable {
  var iss: String
  var aud: String
  var sub: String
  var iat: Int
  var nbf: Int
  var exp: Int
  var scope: String
}

/// Base64url without padding (RFC 7515).
enum Base64URL {
  static func encode(_ data: some DataProtocol) -> String {
    Data(data).base64EncodedString()
      .replacingOccurrences(of: "+", with: "-")
      .replacingOccurrences(of: "/", with: "_")
      .replacingOccurrences(of: "=", with: "")
  }
}
