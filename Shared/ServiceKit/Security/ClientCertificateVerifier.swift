import Foundation
import NIOCore
import NIOSSL
import X509

/// Checks client certificates against the client CA after the TLS handshake has let them in,
/// so that a certificate from another CA (or an expired one) is an RPC answered
/// UNAUTHENTICATED rather than a handshake the client sees only as UNAVAILABLE.
///
/// The handshake always succeeds for a presented certificate; only a chain this verifier
/// validates is handed on (as the transport's `peerCertificateChain`), and only such a chain
/// gives an identity. A client with no certificate at all still fails the handshake.
struct ClientCertificateVerifier: Sendable {
  private let roots: [Certificate]
  private let nioRoots: [NIOSSLCertificate]

  /// Loads the CA bundle at `path`.
  init(caFile path: String) throws {
    nioRoots = try NIOSSLCertificate.fromPEMFile(path)
    roots = try nioRoots.map { try Certificate(derEncoded: $0.toDERBytes()) }
  }

  /// The callback the TLS configuration runs for every presented chain.
  var callback: @Sendable ([NIOSSLCertificate], EventLoopPromise<NIOSSLVerificationResultWithMetadata>) -> Void {
    { [roots, nioRoots] presented, promise in
      let pairs = presented.compactMap { nio in (try? Certificate(derEncoded: nio.toDERBytes())).map { ($0, nio) } }
      guard let leaf = pairs.first?.0 else {
        promise.succeed(.certificateVerified(VerificationMetadata(nil)))
        return
      }
      promise.completeWithTask {
        var verifier = Verifier(rootCertificates: CertificateStore(roots)) {
          RFC5280Policy(validationTime: Date())
        }
        let result = await verifier.validate(leaf: leaf, intermediates: CertificateStore(pairs.dropFirst().map(\.0)))
        guard case .validCertificate(let chain) = result else {
          return .certificateVerified(VerificationMetadata(nil))
        }
        let known = pairs + zip(roots, nioRoots).map { ($0, $1) }
        let nioChain = chain.compactMap { certificate in known.first { $0.0 == certificate }?.1 }
        guard nioChain.count == chain.count, !nioChain.isEmpty else {
          return .certificateVerified(VerificationMetadata(nil))
        }
        return .certificateVerified(VerificationMetadata(NIOSSL.ValidatedCertificateChain(nioChain)))
      }
    }
  }
}
