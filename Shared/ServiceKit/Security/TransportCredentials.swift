import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Logging
import NIOCertificateReloading
import ServiceLifecycle
import Synchronization

/// How a service's listener and its calls to other services are secured, built once from its
/// settings: the server's TLS (and mTLS) configuration, the client side's, the bearer token it
/// sends, and the certificate reloader that makes both follow a rotated certificate file.
public struct TransportCredentials: Sendable {
  /// Re-reads the certificate and key files; run as background work when present.
  public let reloader: TimedCertificateReloader?
  private let security: SecuritySettings
  private let token: BearerToken?

  /// How often the certificate and key files are looked at for a rotation.
  public static let certificateRefresh: Duration = .seconds(30)

  /// Loads what `security` names; throws ``ConfigurationError`` naming the setting whose file
  /// cannot be used.
  public init(_ security: SecuritySettings, logger: Logger) throws(ConfigurationError) {
    self.security = security
    if let certificate = security.tlsCertificateFile, let key = security.tlsKeyFile {
      do {
        reloader = try TimedCertificateReloader.makeReloaderValidatingSources(
          configuration: .init(
            refreshInterval: Self.certificateRefresh,
            certificateSource: .init(location: .file(path: certificate), format: .pem),
            privateKeySource: .init(location: .file(path: key), format: .pem)
          ) { $0.logger = logger })
      } catch {
        throw ConfigurationError(setting: "--tls-cert-file/--tls-key-file (CRM_TLS_CERT_FILE/CRM_TLS_KEY_FILE)", problem: "\(error)")
      }
    } else {
      reloader = nil
    }
    if let path = security.tokenFile {
      guard let token = BearerToken(path: path) else {
        throw ConfigurationError(setting: "--auth-token-file (CRM_AUTH_TOKEN_FILE)", problem: "'\(path)' holds no token")
      }
      self.token = token
    } else {
      token = nil
    }
  }

  /// Plaintext, no token: what tests on loopback and local development use.
  public static let plaintext = try! TransportCredentials(.defaults, logger: Logger(label: "none"))

  /// The listener's transport security: TLS with the reloaded certificate, requiring a client
  /// certificate from the client CA when one is configured.
  public func serverSecurity() throws -> HTTP2ServerTransport.Posix.TransportSecurity {
    guard let reloader else { return .plaintext }
    let verifier = try security.tlsClientCAFile.map { try ClientCertificateVerifier(caFile: $0) }
    return try .tls(certificateReloader: reloader) { config in
      if let verifier, let clientCA = security.tlsClientCAFile {
        config.clientCertificateVerification = .noHostnameVerification
        config.trustRoots = .certificates([.file(path: clientCA, format: .pem)])
        config.customVerificationCallback = verifier.callback
      }
    }
  }

  /// Transport security for calls to other services: TLS against the CA when configured,
  /// presenting this service's own certificate so that a peer requiring mTLS knows who calls.
  public func clientSecurity() -> HTTP2ClientTransport.Posix.TransportSecurity {
    guard let ca = security.tlsCAFile else { return .plaintext }
    var tls = HTTP2ClientTransport.Posix.TransportSecurity.TLS.defaults { config in
      config.trustRoots = .certificates([.file(path: ca, format: .pem)])
    }
    if let reloader {
      tls.certificateReloader = reloader
      if let certificate = security.tlsCertificateFile, let key = security.tlsKeyFile {
        tls.certificateChain = [.file(path: certificate, format: .pem)]
        tls.privateKey = .file(path: key, format: .pem)
      }
    }
    return .tls(tls)
  }

  /// Interceptors for calls to other services: the bearer token, when one is configured.
  public var clientInterceptors: [any ClientInterceptor] {
    token.map { token in [BearerTokenInterceptor { token.value }] } ?? []
  }
}

/// A token read from a file, re-read when the file changes (a rotated token needs no restart).
final class BearerToken: Sendable {
  private let path: String
  private struct State {
    var value: String
    var modified: Date?
    var checked: ContinuousClock.Instant
  }
  private let state: Mutex<State>

  init?(path: String) {
    guard let value = Self.read(path) else { return nil }
    self.path = path
    state = Mutex(State(value: value, modified: FileModification.date(of: path), checked: .now))
  }

  /// The current token, looking at the file at most once a second.
  var value: String {
    let now = ContinuousClock.now
    return state.withLock { state in
      guard now - state.checked >= .seconds(1) else { return state.value }
      state.checked = now
      let modified = FileModification.date(of: path)
      if modified != state.modified, let fresh = Self.read(path) {
        state.value = fresh
        state.modified = modified
      }
      return state.value
    }
  }

  private static func read(_ path: String) -> String? {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
    let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
    return token.isEmpty ? nil : token
  }

}

/// When a file last changed: the target's time, not a symlink's, because a mounted Kubernetes
/// Secret or ConfigMap changes by swapping the link behind the file.
enum FileModification {
  static func date(of path: String) -> Date? {
    let resolved = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
    return (try? FileManager.default.attributesOfItem(atPath: resolved))?[.modificationDate] as? Date
  }
}

/// Adds `authorization: Bearer <token>` to every outgoing call.
public struct BearerTokenInterceptor: ClientInterceptor {
  private let token: @Sendable () -> String

  /// Sends the token `token` returns at each call (a file re-read when it changes).
  init(token: @escaping @Sendable () -> String) { self.token = token }

  /// Sends `token` on every call.
  public init(token: String) { self.token = { token } }

  public func intercept<Input: Sendable, Output: Sendable>(
    request: StreamingClientRequest<Input>,
    context: ClientContext,
    next: (StreamingClientRequest<Input>, ClientContext) async throws -> StreamingClientResponse<Output>
  ) async throws -> StreamingClientResponse<Output> {
    var request = request
    request.metadata.replaceOrAddString("Bearer \(token())", forKey: "authorization")
    return try await next(request, context)
  }
}
