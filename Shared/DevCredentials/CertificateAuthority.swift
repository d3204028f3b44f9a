import Crypto
import Foundation
import SwiftASN1
import X509

/// The development CA: a P-256 key and its self-signed certificate, and the leaves it issues.
struct CertificateAuthority {
  let key: P256.Signing.PrivateKey
  let certificate: Certificate

  /// Leaves and the CA are valid from a little before now, so a clock a minute behind another
  /// still accepts them.
  static let backdating: TimeInterval = 3600

  /// A new CA, valid a day longer than the leaves it will issue.
  init(now: Date, validity: Duration) throws {
    key = P256.Signing.PrivateKey()
    let signingKey = Certificate.PrivateKey(key)
    let name = try DistinguishedName {
      OrganizationName("CRM suite (development)")
      CommonName("CRM development CA")
    }
    let extensions = try Certificate.Extensions {
      Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
      Critical(KeyUsage(keyCertSign: true, cRLSign: true))
      SubjectKeyIdentifier(hash: signingKey.publicKey)
    }
    certificate = try Certificate(
      version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: signingKey.publicKey,
      notValidBefore: now - Self.backdating, notValidAfter: now + validity.timeInterval + 86_400,
      issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256, extensions: extensions,
      issuerPrivateKey: signingKey)
  }

  /// A leaf for `identity`: DNS `localhost` and `<name>`, IP 127.0.0.1, the identity's SPIFFE
  /// URI; usable as server and as client certificate.
  func issue(
    for identity: DevelopmentCredentials.Identity, publicKey: P256.Signing.PublicKey, now: Date, validity: Duration
  ) throws -> Certificate {
    let subjectKey = Certificate.PublicKey(publicKey)
    let subject = try DistinguishedName {
      OrganizationName("CRM suite (development)")
      OrganizationalUnitName(identity.kind.rawValue)
      CommonName(identity.name)
    }
    let authorityKeyID = try certificate.extensions.subjectKeyIdentifier?.keyIdentifier
    let extensions = try Certificate.Extensions {
      Critical(BasicConstraints.notCertificateAuthority)
      Critical(KeyUsage(digitalSignature: true))
      try ExtendedKeyUsage([.serverAuth, .clientAuth])
      SubjectKeyIdentifier(hash: subjectKey)
      AuthorityKeyIdentifier(keyIdentifier: authorityKeyID)
      SubjectAlternativeNames([
        .dnsName("localhost"),
        .dnsName(identity.name),
        .ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1])),
        .uniformResourceIdentifier(identity.uri),
      ])
    }
    return try Certificate(
      version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: subjectKey,
      notValidBefore: now - Self.backdating, notValidAfter: now + validity.timeInterval,
      issuer: certificate.subject, subject: subject, signatureAlgorithm: .ecdsaWithSHA256,
      extensions: extensions, issuerPrivateKey: Certificate.PrivateKey(key))
  }
}

extension Duration {
  /// The duration in seconds, as Foundation counts time.
  var timeInterval: TimeInterval {
    let (seconds, attoseconds) = components
    return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
  }
}
