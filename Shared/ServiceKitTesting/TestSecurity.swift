import DevCredentials
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import ServiceKit

/// TLS and tokens for tests that run the real executables with their door shut: a development
/// CA in a temporary directory, the flags each service starts with, and what a test client
/// presents.
public struct TestSecurity: Sendable {
  /// How the services identify their callers.
  public enum Mode: Sendable {
    /// TLS on every port; callers (and the services, to each other) send bearer tokens.
    case tokens
    /// TLS with client certificates required everywhere: the services know each other by
    /// certificate; test clients present the operator's certificate and a token.
    case mutualTLS
  }

  /// The CA, the certificates and the signing key.
  public let credentials: DevelopmentCredentials
  /// How callers are identified.
  public let mode: Mode

  /// Makes fresh credentials for the five services and an `operator` client under `directory`.
  public init(mode: Mode, directory: URL) throws {
    self.mode = mode
    credentials = try DevelopmentCredentials.create(
      in: directory.appendingPathComponent("pki"), services: SuiteService.allCases.map(\.rawValue),
      clients: ["operator"])
  }

  /// The flags `service` starts with.
  public func serverArguments(for service: SuiteService) -> [String] {
    let identity = credentials.service(service.rawValue)
    var arguments = [
      "--tls-cert-file", identity.certificate.path, "--tls-key-file", identity.privateKey.path,
      "--tls-ca-file", credentials.caCertificate.path, "--auth-jwt-keys-file", credentials.jwks.path,
    ]
    switch mode {
    case .tokens: arguments += ["--auth-token-file", identity.token.path]
    case .mutualTLS: arguments += ["--tls-client-ca-file", credentials.caCertificate.path]
    }
    return arguments
  }

  /// What a test client's connection uses: TLS against the CA, with the operator's
  /// certificate when the services require one (`presentCertificate` false leaves it out).
  public func clientSecurity(presentCertificate: Bool = true) -> HTTP2ClientTransport.Posix.TransportSecurity {
    var tls = HTTP2ClientTransport.Posix.TransportSecurity.TLS.defaults { config in
      config.trustRoots = .certificates([.file(path: credentials.caCertificate.path, format: .pem)])
    }
    if mode == .mutualTLS && presentCertificate {
      let identity = credentials.client("operator")
      tls.certificateChain = [.file(path: identity.certificate.path, format: .pem)]
      tls.privateKey = .file(path: identity.privateKey.path, format: .pem)
    }
    return .tls(tls)
  }

  /// A token for `subject` holding `scopes`, valid for ten minutes.
  public func token(_ scopes: [String], subject: String = "tester") async throws -> String {
    try await credentials.token(subject: subject, scopes: scopes, lifetime: .seconds(600))
  }
}
