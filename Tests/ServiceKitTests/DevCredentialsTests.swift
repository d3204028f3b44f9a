import Crypto
import DevCredentials
import Foundation
import JWTKit
import NIOSSL
import SwiftASN1
import Testing
import X509

@testable import ServiceKit

@Suite("Development credentials: a CA, a leaf per identity, tokens verifiable with the JWKS")
struct DevCredentialsTests {
  /// A fresh directory under the system's temporary one, removed after `body`.
  private func withCredentials(
    services: [String] = ["segmentation", "loyalty"], clients: [String] = ["operator", "console"],
    _ body: (DevelopmentCredentials) async throws -> Void
  ) async throws {
    let directory = FileManager.default.temporaryDirectory
      .appendingPathComponent("dev-credentials-\(UUID().uuidString)/pki")
    defer { try? FileManager.default.removeItem(at: directory.deletingLastPathComponent()) }
    let credentials = try DevelopmentCredentials.create(in: directory, services: services, clients: clients)
    try await body(credentials)
  }

  private func certificate(at url: URL) throws -> Certificate {
    try Certificate(pemEncoded: String(contentsOf: url, encoding: .utf8))
  }

  @Test("every leaf chains to the CA, as a server on 127.0.0.1 and on localhost")
  func chainVerifies() async throws {
    try await withCredentials { credentials in
      // Given the CA as the only root
      let root = try certificate(at: credentials.caCertificate)
      let identities = credentials.services.map(credentials.service) + credentials.clients.map(credentials.client)
      #expect(identities.count == 4)
      for identity in identities {
        let leaf = try certificate(at: identity.certificate)
        // When the leaf is verified for 127.0.0.1, then for localhost
        for (hostname, ip) in [(String?.none, String?.some("127.0.0.1")), ("localhost", nil)] {
          var verifier = Verifier(rootCertificates: CertificateStore([root])) {
            RFC5280Policy()
            ServerIdentityPolicy(serverHostname: hostname, serverIP: ip)
          }
          let result = await verifier.validate(leaf: leaf, intermediates: CertificateStore())
          // Then a chain of the leaf and the CA is found
          guard case .validCertificate(let chain) = result else {
            Issue.record("\(identity.name) for \(hostname ?? ip ?? ""): \(result)")
            continue
          }
          #expect(Array(chain) == [leaf, root])
        }
      }
    }
  }

  @Test("a leaf of another CA does not verify against this one")
  func foreignLeafFails() async throws {
    try await withCredentials { credentials in
      try await withCredentials(services: ["loyalty"], clients: []) { other in
        let root = try certificate(at: credentials.caCertificate)
        let foreign = try certificate(at: other.service("loyalty").certificate)
        var verifier = Verifier(rootCertificates: CertificateStore([root])) { RFC5280Policy() }
        let result = await verifier.validate(leaf: foreign, intermediates: CertificateStore())
        guard case .couldNotValidate = result else {
          Issue.record("a foreign leaf verified: \(result)")
          return
        }
      }
    }
  }

  @Test("leaves name localhost, themselves, 127.0.0.1 and their SPIFFE identity; the services read that name")
  func subjectAlternativeNames() async throws {
    try await withCredentials { credentials in
      let ca = try certificate(at: credentials.caCertificate)
      #expect(try ca.extensions.basicConstraints == .isCertificateAuthority(maxPathLength: 0))
      let caKey = try P256.Signing.PrivateKey(pemRepresentation: String(contentsOf: credentials.caPrivateKey, encoding: .utf8))
      #expect(ca.publicKey == Certificate.PublicKey(caKey.publicKey))

      for (identity, uri) in [
        (credentials.service("loyalty"), "spiffe://crm/service/loyalty"),
        (credentials.client("operator"), "spiffe://crm/client/operator"),
      ] {
        let leaf = try certificate(at: identity.certificate)
        let names = try #require(try leaf.extensions.subjectAlternativeNames)
        #expect(names.contains(.dnsName("localhost")))
        #expect(names.contains(.dnsName(identity.name)))
        #expect(names.contains(.ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1]))))
        #expect(names.contains(.uniformResourceIdentifier(uri)))
        #expect(identity.uri == uri)
        let usages = try #require(try leaf.extensions.extendedKeyUsage)
        #expect(usages.contains(.serverAuth) && usages.contains(.clientAuth))
        #expect(try leaf.extensions.basicConstraints == .notCertificateAuthority)
        #expect(leaf.notValidAfter > Date().addingTimeInterval(360 * 86_400))
        // The key file holds the key of the certificate.
        let key = try P256.Signing.PrivateKey(pemRepresentation: String(contentsOf: identity.privateKey, encoding: .utf8))
        #expect(leaf.publicKey == Certificate.PublicKey(key.publicKey))
        // The name a service gives the holder of this certificate.
        let named = try #require(AccessInterceptor.identityName(of: leaf))
        #expect(named.name == identity.name)
        #expect(named.isService == (identity.kind == .service))
      }
    }
  }

  @Test("private keys and tokens are readable by their owner only")
  func secretModes() async throws {
    try await withCredentials { credentials in
      func mode(_ url: URL) throws -> Int {
        try #require(FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? Int)
      }
      for secret in [
        credentials.caPrivateKey, credentials.signingKey, credentials.service("loyalty").privateKey,
        credentials.client("operator").privateKey, credentials.client("operator").token,
      ] {
        let secretMode = try mode(secret)
        #expect(secretMode == 0o600, "\(secret.path)")
      }
      for published in [credentials.caCertificate, credentials.jwks, credentials.service("loyalty").certificate] {
        let publishedMode = try mode(published)
        #expect(publishedMode & 0o044 == 0o044, "\(published.path)")
      }
    }
  }

  /// The claims the services require, read with jwt-kit.
  struct SuiteClaims: JWTPayload {
    var iss: IssuerClaim
    var aud: AudienceClaim
    var sub: SubjectClaim
    var exp: ExpirationClaim
    var scope: String

    func verify(using algorithm: some JWTAlgorithm) async throws {
      try exp.verifyNotExpired()
    }
  }

  private func keys(_ credentials: DevelopmentCredentials) async throws -> JWTKeyCollection {
    try await JWTKeyCollection().add(jwksJSON: String(contentsOf: credentials.jwks, encoding: .utf8))
  }

  @Test("the minted tokens verify against jwks.json and carry subject, scopes, issuer, audience and expiry")
  func mintedTokensVerify() async throws {
    try await withCredentials { credentials in
      let keys = try await keys(credentials)
      let expectations: [(DevelopmentCredentials.Identity, String)] = [
        (credentials.service("loyalty"), "segmentation.read events.deliver"),
        (credentials.client("operator"), "*"),
        (credentials.client("console"), "*.read"),
      ]
      for (identity, scope) in expectations {
        let token = try String(contentsOf: identity.token, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let claims = try await keys.verify(token, as: SuiteClaims.self)
        #expect(claims.sub.value == identity.name)
        #expect(claims.scope == scope)
        #expect(claims.iss.value == "crm")
        #expect(claims.aud.value == ["crm"])
        let days = claims.exp.value.timeIntervalSinceNow / 86_400
        #expect(days > 29.9 && days <= 30.01)
      }
      let jwks = try JSONDecoder().decode(JWKS.self, from: Data(contentsOf: credentials.jwks))
      #expect(jwks.keys.count == 1 && jwks.keys[0].keyIdentifier != nil && jwks.keys[0].algorithm == .es256)
    }
  }

  @Test("a fresh token verifies with the services' own verifier; another signer's does not")
  func freshTokenVerifies() async throws {
    try await withCredentials { credentials in
      // Given a token for a console that may read loyalty, for five minutes
      let token = try await credentials.token(
        subject: "console", scopes: ["loyalty.read", "trust.*"], lifetime: .seconds(300), audience: "crm-test")
      // When the services' verifier reads it with the credentials' JWKS
      let verifier = try await TokenVerifier(keysFile: credentials.jwks.path, issuer: "crm", audience: "crm-test")
      let (subject, scopes) = try await verifier.verify(token)
      // Then it names the console and its scopes
      #expect(subject == "console")
      #expect(scopes == ["loyalty.read", "trust.*"])
      // And a token signed by other credentials, or for another audience, is refused
      try await withCredentials(services: [], clients: ["operator"]) { other in
        let foreign = try await other.token(subject: "operator", scopes: ["*"], lifetime: .seconds(300), audience: "crm-test")
        await #expect(throws: TokenVerifier.Rejection.self) { try await verifier.verify(foreign) }
      }
      let strict = try await TokenVerifier(keysFile: credentials.jwks.path, issuer: "crm", audience: "crm")
      await #expect(throws: TokenVerifier.Rejection.self) { try await strict.verify(token) }
    }
  }

  @Test("load finds what create made; create refuses a directory that has a CA and names that are not labels")
  func loadAndRefusals() async throws {
    try await withCredentials { credentials in
      let loaded = try DevelopmentCredentials.load(from: credentials.directory)
      #expect(loaded.services == ["loyalty", "segmentation"])
      #expect(loaded.clients == ["console", "operator"])
      #expect(throws: DevelopmentCredentialsError.self) {
        try DevelopmentCredentials.create(in: credentials.directory, services: ["loyalty"], clients: [])
      }
      let token = try await loaded.token(subject: "loyalty", scopes: ["segmentation.read"], lifetime: .seconds(60))
      _ = try await keys(credentials).verify(token, as: SuiteClaims.self)
    }
    let elsewhere = FileManager.default.temporaryDirectory.appendingPathComponent("dev-credentials-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: elsewhere) }
    for name in ["Loyalty", "a/b", "", "-x", "x y"] {
      #expect(throws: DevelopmentCredentialsError.self) {
        try DevelopmentCredentials.create(in: elsewhere, services: [name], clients: [])
      }
    }
    #expect(throws: DevelopmentCredentialsError.self) { try DevelopmentCredentials.load(from: elsewhere) }
  }

  @Test("NIOSSL loads the certificates and keys, and builds server and client contexts from them")
  func nioSSLLoadsFiles() async throws {
    try await withCredentials { credentials in
      let ca = try NIOSSLCertificate.fromPEMFile(credentials.caCertificate.path)
      let identity = credentials.service("loyalty")
      let chain = try NIOSSLCertificate.fromPEMFile(identity.certificate.path)
      let key = try NIOSSLPrivateKey(file: identity.privateKey.path, format: .pem)
      #expect(ca.count == 1 && chain.count == 1 && ca != chain)
      let leaf = chain[0]

      var server = TLSConfiguration.makeServerConfiguration(certificateChain: [.certificate(leaf)], privateKey: .privateKey(key))
      server.trustRoots = .file(credentials.caCertificate.path)
      server.certificateVerification = .noHostnameVerification
      _ = try NIOSSLContext(configuration: server)

      var client = TLSConfiguration.makeClientConfiguration()
      client.trustRoots = .file(credentials.caCertificate.path)
      client.certificateChain = try NIOSSLCertificate.fromPEMFile(credentials.client("operator").certificate.path).map { .certificate($0) }
      client.privateKey = .privateKey(try NIOSSLPrivateKey(file: credentials.client("operator").privateKey.path, format: .pem))
      _ = try NIOSSLContext(configuration: client)
    }
  }
}
