import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Logging
import SwiftProtobuf
import Synchronization
import X509

/// The door of every service: finds who is calling (a bearer token or a client certificate),
/// checks the permission the RPC requires (``PermissionTable``), applies the rate limit, binds
/// ``CallerIdentity/current`` for the handler, and has every `operate` call written to the audit
/// trail with its outcome.
///
/// A missing or invalid credential is UNAUTHENTICATED; a valid one without the permission is
/// PERMISSION_DENIED naming only the permission. Neither says why a token failed (the log does).
public struct AccessInterceptor: ServerInterceptor {
  /// Appends one record to the service's audit trail.
  public typealias AuditSink = @Sendable (AuditEntry) async -> Void

  private let service: SuiteService
  private let authEnabled: Bool
  private let tokens: TokenVerifier?
  private let certificates: CertificateGrants?
  private let reflection: SecuritySettings.Access
  private let limiter: RateLimiter
  private let audit: AuditSink?
  private let logger: Logger

  /// Creates the door of `service`. With neither `tokens` nor `certificates`, auth is off:
  /// every caller is ``CallerIdentity/anonymous``, and only rate limits and the audit apply.
  public init(
    service: SuiteService, tokens: TokenVerifier?, certificates: CertificateGrants?,
    reflection: SecuritySettings.Access, limiter: RateLimiter, audit: AuditSink?, logger: Logger
  ) {
    self.service = service
    self.authEnabled = tokens != nil || certificates != nil
    self.tokens = tokens
    self.certificates = certificates
    self.reflection = reflection
    self.limiter = limiter
    self.audit = audit
    self.logger = logger
  }

  public func intercept<Input: Sendable, Output: Sendable>(
    request: StreamingServerRequest<Input>,
    context: ServerContext,
    next: @Sendable (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
  ) async throws -> StreamingServerResponse<Output> {
    let method = context.descriptor
    guard let access = PermissionTable.access(for: method, on: service, reflection: reflection) else {
      // Not declared: nobody may call it, so a forgotten entry fails closed.
      throw RPCError(code: .permissionDenied, message: "\(method.fullyQualifiedMethod) has no declared permission")
    }
    guard case .requires(let permission) = access else {
      return try await next(request, context)
    }

    let identity = try await authenticate(request.metadata, context: context)
    guard identity.holds(permission) else {
      logger.notice(
        "permission denied",
        metadata: ["identity": "\(identity)", "method": "\(method.fullyQualifiedMethod)", "requires": "\(permission)"])
      if permission.level == .operate {
        await audit?(
          AuditEntry(
            identity: "\(identity)", method: method.fullyQualifiedMethod, targetID: "",
            requestID: RequestContext.requestID ?? "", outcome: AuditEntry.outcome(of: .permissionDenied)))
      }
      throw RPCError(code: .permissionDenied, message: "requires permission \(permission)")
    }
    guard limiter.allow(identity.name, level: permission.level) else {
      throw RPCError(code: .resourceExhausted, message: "rate limit of \(permission.level.rawValue) calls reached; retry later")
    }

    guard permission.level == .operate, let audit else {
      return try await CallerIdentity.$current.withValue(identity) { try await next(request, context) }
    }
    return try await CallerIdentity.$current.withValue(identity) {
      try await audited(request, context: context, identity: identity, audit: audit, next: next)
    }
  }

  /// Runs a privileged RPC and records who did what to which target, and how it ended.
  private func audited<Input: Sendable, Output: Sendable>(
    _ request: StreamingServerRequest<Input>,
    context: ServerContext,
    identity: CallerIdentity,
    audit: @escaping AuditSink,
    next: @Sendable (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
  ) async throws -> StreamingServerResponse<Output> {
    let method = context.descriptor.fullyQualifiedMethod
    let requestID = RequestContext.requestID ?? ""
    // The target is read off the first request message as the handler takes it.
    let target = Mutex("")
    let observed = StreamingServerRequest(
      metadata: request.metadata,
      messages: RPCAsyncSequence(
        wrapping: request.messages.map { message in
          if let message = message as? any SwiftProtobuf.Message {
            target.withLock { if $0.isEmpty { $0 = AuditRecorder.targetID(of: message) } }
          }
          return message
        }))
    @Sendable func record(_ code: RPCError.Code?) async {
      await audit(
        AuditEntry(
          identity: "\(identity)", method: method, targetID: target.withLock { $0 }, requestID: requestID,
          outcome: AuditEntry.outcome(of: code)))
    }
    let response: StreamingServerResponse<Output>
    do {
      response = try await next(observed, context)
    } catch {
      await record((error as? RPCError)?.code ?? (error as? any RPCErrorConvertible)?.rpcErrorCode ?? .unknown)
      throw error
    }
    switch response.accepted {
    case .failure(let error):
      await record(error.code)
      return response
    case .success(var contents):
      let producer = contents.producer
      contents.producer = { writer in
        do {
          let trailers = try await producer(writer)
          await record(nil)
          return trailers
        } catch {
          await record((error as? RPCError)?.code ?? (error as? any RPCErrorConvertible)?.rpcErrorCode ?? .unknown)
          throw error
        }
      }
      return StreamingServerResponse(accepted: .success(contents))
    }
  }

  /// The caller proven by a bearer token, else by a verified client certificate.
  private func authenticate(_ metadata: Metadata, context: ServerContext) async throws -> CallerIdentity {
    guard authEnabled else { return .anonymous }
    var headers = metadata[stringValues: "authorization"].makeIterator()
    if let header = headers.next() {
      guard let tokens else {
        throw RPCError(code: .unauthenticated, message: "bearer tokens are not accepted here: present a client certificate")
      }
      guard header.utf8.count <= TokenVerifier.maxTokenBytes + 16, header.lowercased().hasPrefix("bearer ") else {
        throw RPCError(code: .unauthenticated, message: "invalid credentials: expected authorization: Bearer <token>")
      }
      do {
        let (subject, scopes) = try await tokens.verify(String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces))
        return CallerIdentity(name: subject, proof: .token, grants: scopes)
      } catch {
        logger.notice("token refused", metadata: ["reason": "\(error.reason)", "method": "\(context.descriptor.fullyQualifiedMethod)"])
        throw RPCError(code: .unauthenticated, message: "invalid token")
      }
    }
    if let certificates,
      // Only a chain the client CA validated (ClientCertificateVerifier) names anyone.
      let peer = (context.transportSpecific as? HTTP2ServerTransport.Posix.Context)?.peerCertificateChain?.leaf,
      let (name, isService) = Self.identityName(of: peer)
    {
      return CallerIdentity(
        name: name, proof: isService ? .certificate : .clientCertificate,
        grants: certificates.grants(for: name, isService: isService))
    }
    throw RPCError(code: .unauthenticated, message: "missing credentials: send a bearer token or a client certificate")
  }

  /// The name a certificate gives its holder, and whether it names a service:
  /// `spiffe://<domain>/service/<name>` or `.../client/<name>` in a URI SAN, else the first
  /// label of its first DNS SAN (a server certificate, so a service if the name is one).
  public static func identityName(of certificate: Certificate) -> (name: String, isService: Bool)? {
    guard let names = try? certificate.extensions.subjectAlternativeNames else { return nil }
    for name in names {
      if case .uniformResourceIdentifier(let uri) = name, uri.hasPrefix("spiffe://") {
        let parts = uri.dropFirst("spiffe://".count).split(separator: "/")
        guard let last = parts.last, parts.count >= 2 else { continue }
        return (String(last), parts[parts.count - 2] == "service")
      }
    }
    for name in names {
      if case .dnsName(let dns) = name, dns != "localhost", let label = dns.split(separator: ".").first {
        return (String(label), true)
      }
    }
    return nil
  }
}
