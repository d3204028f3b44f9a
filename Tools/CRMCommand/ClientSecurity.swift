import ArgumentParser
import DevCredentials
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import ServiceKit

/// How `crm` proves itself to the services: the flags every client command takes.
///
/// With none of the TLS flags, TLS comes from `<data-dir>/pki` when `crm up --secure` (or
/// `crm dev-credentials`) made one there: its CA, and the `operator` client certificate; and,
/// unless `--token-file` or `CRM_TOKEN` gives one, so does the token (`tokens/operator.jwt`).
/// A discovered token is only ever sent over TLS checked against the discovered CA, so it cannot
/// reach a server the development CA did not certify. `--plaintext` turns all of that off.
struct ClientSecurityOptions: ParsableArguments {
  @Option(name: .customLong("tls-ca-file"), help: "PEM CA bundle the services' certificates are checked against; turns TLS on.")
  var tlsCAFile: String?

  @Option(name: .customLong("tls-cert-file"), help: "PEM client certificate presented to services that require one (mTLS); with --tls-key-file.")
  var tlsCertificateFile: String?

  @Option(name: .customLong("tls-key-file"), help: "PEM private key of --tls-cert-file.")
  var tlsKeyFile: String?

  @Option(name: .customLong("token-file"), help: "File holding a bearer token sent as `authorization: Bearer <token>` (default: the token in CRM_TOKEN).")
  var tokenFile: String?

  @Option(name: .customLong("data-dir"), help: "Data directory of `crm up`; without the flags above, <data-dir>/pki supplies the CA, the operator's certificate and token (default: CRM_DATA_DIR, then ./data).")
  var dataDirectory: String?

  @Flag(help: "Plaintext and no token, whatever <data-dir>/pki holds.")
  var plaintext = false

  func validate() throws {
    if (tlsCertificateFile == nil) != (tlsKeyFile == nil) {
      throw ValidationError("--tls-cert-file and --tls-key-file go together")
    }
    if plaintext, tlsCAFile != nil || tlsCertificateFile != nil || tokenFile != nil {
      throw ValidationError("--plaintext excludes --tls-ca-file, --tls-cert-file, --tls-key-file and --token-file")
    }
  }

  /// What these flags, the environment and `<data-dir>/pki` add up to.
  func resolve(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ClientSecurity {
    if plaintext { return .plaintext }
    let pki = Self.pkiDirectory(dataDirectory: dataDirectory, environment: environment)
    let discovered = DevelopmentCredentials.exist(in: pki) ? ClientSecurity.discovered(in: pki) : nil

    var security = ClientSecurity.plaintext
    let explicitTLS = tlsCAFile != nil || tlsCertificateFile != nil
    if explicitTLS {
      security.tls = ClientSecurity.TLS(caFile: tlsCAFile, certificateFile: tlsCertificateFile, keyFile: tlsKeyFile)
    } else {
      security.tls = discovered?.tls
    }
    if let tokenFile {
      security.token = try ClientSecurity.readToken(file: tokenFile, flag: "--token-file")
    } else if let token = environment["CRM_TOKEN"]?.trimmingCharacters(in: .whitespacesAndNewlines), !token.isEmpty {
      security.token = token
    } else if !explicitTLS {
      security.token = discovered?.token
    }
    for (path, flag) in [(tlsCAFile, "--tls-ca-file"), (tlsCertificateFile, "--tls-cert-file"), (tlsKeyFile, "--tls-key-file")] {
      if let path, !FileManager.default.isReadableFile(atPath: path) {
        throw ValidationError("\(flag): cannot read '\(path)'")
      }
    }
    return security
  }

  /// `<data-dir>/pki`, the data directory from the flag, else CRM_DATA_DIR, else ./data.
  static func pkiDirectory(dataDirectory: String?, environment: [String: String]) -> URL {
    URL(fileURLWithPath: DataDirectory.resolve(flag: dataDirectory, environment: environment))
      .appendingPathComponent("pki")
  }
}

/// The data directory of `crm up` and of the discovery of `<data-dir>/pki`.
enum DataDirectory {
  /// The flag, else CRM_DATA_DIR, else ./data.
  static func resolve(flag: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
    if let flag { return flag }
    if let value = environment["CRM_DATA_DIR"], !value.isEmpty { return value }
    return "./data"
  }
}

/// The transport security and call metadata of every client `crm` makes; the one place that
/// turns ``ClientSecurityOptions`` into transports.
struct ClientSecurity: Sendable {
  /// TLS towards the services.
  struct TLS: Sendable, Equatable {
    /// The CA the services' certificates must chain to; nil trusts the system's roots.
    var caFile: String?
    /// A client certificate to present (mTLS), with its key.
    var certificateFile: String?
    var keyFile: String?
  }

  /// nil: plaintext.
  var tls: TLS?
  /// Sent as `authorization: Bearer <token>` on every call.
  var token: String?

  /// No TLS, no token: the suite as `crm up` runs it without --secure.
  static let plaintext = ClientSecurity(tls: nil, token: nil)

  /// The operator's credentials in a directory made by ``DevelopmentCredentials``: its CA, the
  /// `operator` client certificate, and `tokens/operator.jwt` when they exist.
  static func discovered(in pki: URL) -> ClientSecurity {
    let files = FileManager.default
    let ca = pki.appendingPathComponent("ca.pem").path
    let certificate = pki.appendingPathComponent("clients/operator.pem").path
    let key = pki.appendingPathComponent("clients/operator.key").path
    let hasClientCertificate = files.isReadableFile(atPath: certificate) && files.isReadableFile(atPath: key)
    return ClientSecurity(
      tls: TLS(
        caFile: ca, certificateFile: hasClientCertificate ? certificate : nil, keyFile: hasClientCertificate ? key : nil),
      token: try? readToken(file: pki.appendingPathComponent("tokens/operator.jwt").path, flag: "pki"))
  }

  /// The token in `file`, trimmed; throws naming `flag` when there is none.
  static func readToken(file: String, flag: String) throws -> String {
    guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
      throw ValidationError("\(flag): cannot read '\(file)'")
    }
    let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
    guard !token.isEmpty else { throw ValidationError("\(flag): '\(file)' holds no token") }
    return token
  }

  /// The transport security these settings make.
  var transportSecurity: HTTP2ClientTransport.Posix.TransportSecurity {
    guard let tls else { return .plaintext }
    return .tls { config in
      if let ca = tls.caFile { config.trustRoots = .certificates([.file(path: ca, format: .pem)]) }
      if let certificate = tls.certificateFile, let key = tls.keyFile {
        config.certificateChain = [.file(path: certificate, format: .pem)]
        config.privateKey = .file(path: key, format: .pem)
      }
    }
  }

  /// Interceptors of every call: the bearer token, when there is one.
  var interceptors: [any ClientInterceptor] {
    token.map { [BearerTokenInterceptor(token: $0)] } ?? []
  }

  /// An HTTP/2 transport to `address`. An IP address is dialled as such, so TLS checks the
  /// certificate's IP SAN (a literal IP may not be sent as the TLS server name); a host name is
  /// resolved and checked against the DNS SANs.
  func transport(
    to address: PeerAddress, config: HTTP2ClientTransport.Posix.Config = .defaults
  ) throws -> HTTP2ClientTransport.Posix {
    try .http2NIOPosix(target: address.target, transportSecurity: transportSecurity, config: config)
  }

  /// A client of `address` with these credentials; the caller runs its connections.
  func client(to address: PeerAddress) throws -> GRPCClient<HTTP2ClientTransport.Posix> {
    GRPCClient(transport: try transport(to: address), interceptors: interceptors)
  }

  /// Runs `body` with a client of `address`, connected for its length.
  func withClient<Result: Sendable>(
    to address: PeerAddress, _ body: (GRPCClient<HTTP2ClientTransport.Posix>) async throws -> Result
  ) async throws -> Result {
    try await withGRPCClient(transport: try transport(to: address), interceptors: interceptors, handleClient: body)
  }
}
