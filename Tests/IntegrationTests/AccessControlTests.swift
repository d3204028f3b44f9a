import Contracts
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import ServiceKitTesting
import SwiftProtobuf
import Testing

@testable import ServiceKit

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

/// The door of every service, through the real executables with TLS and tokens: every RPC of
/// every service called with no credential, with one that lacks its permission, and with
/// exactly its permission.
@Suite("Access control through the real executables", .serialized, .timeLimit(.minutes(6)))
struct AccessControlIntegrationTests {
  typealias Client = GRPCClient<HTTP2ClientTransport.Posix>

  /// The code of a call of `method` with an empty request; nil for OK.
  static func code(of method: any RPCMethodInfo, _ client: Client) async -> RPCError.Code? {
    var options = CallOptions.defaults
    options.timeout = .seconds(20)
    do {
      _ = try await method.call(client, requestJSON: "{}", options: options)
      return nil
    } catch let error as RPCError {
      return error.code
    } catch {
      return .unknown
    }
  }

  @Test("every RPC: no credential is UNAUTHENTICATED, a missing permission PERMISSION_DENIED, the right one neither")
  func everyRPCOfEveryService() async throws {
    let suite = try await SuiteProcesses.start(security: .tokens)
    do {
      try await Self.checkEveryRPC(suite)
    } catch {
      await suite.stopAll()
      throw error
    }
    await suite.stopAll()
  }

  static func checkEveryRPC(_ suite: SuiteProcesses) async throws {
    let security = try #require(suite.security)
    var tokens: [Set<String>: String] = [:]
    func token(_ scopes: Set<String>) async throws -> String {
      if let token = tokens[scopes] { return token }
      let token = try await security.token(scopes.sorted())
      tokens[scopes] = token
      return token
    }
    let kitServices: Set<String> = [
      "crm.events.v1.EventSink", "crm.events.v1.Outbox", "crm.ops.v1.StoreAdmin", "crm.ops.v1.AuditLog",
    ]
    var checked = 0
    for service in SuiteService.allCases {
      let process = suite.process(service)
      let own = PermissionTable.serviceLevels[service]!.grpcService
      let methods = RPCCatalog.methods.filter {
        $0.descriptor.service.fullyQualifiedService == own || kitServices.contains($0.descriptor.service.fullyQualifiedService)
      }
      // Every permission this process knows, to build tokens that hold all but one.
      let all = Set(methods.compactMap { method -> String? in
        guard case .requires(let permission) = PermissionTable.access(for: method.descriptor, on: service) else { return nil }
        return permission.description
      })
      for method in methods {
        guard case .requires(let permission) = PermissionTable.access(for: method.descriptor, on: service) else {
          Issue.record("\(method.descriptor) is open")
          continue
        }
        let name = "\(service.rawValue) \(method.descriptor.fullyQualifiedMethod)"
        // With exactly its permission: neither refusal (UNIMPLEMENTED: this process does not serve it).
        let allowed = try await process.withClient(
          security: security.clientSecurity(), token: try await token([permission.description])
        ) { await code(of: method, $0) }
        if allowed == .unimplemented {
          #expect(kitServices.contains(method.descriptor.service.fullyQualifiedService), "\(name) is not served")
          continue
        }
        #expect(allowed != .unauthenticated && allowed != .permissionDenied && allowed != .unknown, "\(name): \(String(describing: allowed))")
        // With no credential at all.
        let anonymous = try await process.withClient(security: security.clientSecurity()) { await code(of: method, $0) }
        #expect(anonymous == .unauthenticated, "\(name) without a credential: \(String(describing: anonymous))")
        // With every other permission of the service but this one.
        let lacking = try await process.withClient(
          security: security.clientSecurity(), token: try await token(all.subtracting([permission.description]).union(["x.read"]))
        ) { await code(of: method, $0) }
        #expect(lacking == .permissionDenied, "\(name) without \(permission): \(String(describing: lacking))")
        checked += 1
      }
      // Health stays open for probes.
      let health = try await process.withClient(security: security.clientSecurity()) { client in
        try await Grpc_Health_V1_Health.Client(wrapping: client).check(.init()).status
      }
      #expect(health == .serving)
    }
    #expect(checked >= 130)
  }

  @Test("bad tokens: expired, other audience, other issuer, unknown key, alg none, no exp, 64 KB: UNAUTHENTICATED and nothing changes")
  func badTokens() async throws {
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let security = try TestSecurity(mode: .tokens, directory: directory)
    let loyalty = try await ServiceProcess(
      "loyalty-service", dataDirectory: directory.appendingPathComponent("loyalty"),
      arguments: security.serverArguments(for: .loyalty))
    defer { Task { await loyalty.terminate() } }
    let other = try TestSecurity(mode: .tokens, directory: directory.appendingPathComponent("other"))

    let expired = try await security.credentials.token(subject: "a", scopes: ["*"], lifetime: .seconds(1))
    try await Task.sleep(for: .seconds(2))
    let header = #"{"alg":"none","typ":"JWT"}"#
    let claims = #"{"iss":"crm","aud":"crm","sub":"a","exp":4102444800,"scope":"*"}"#
    let noExpiry = #"{"iss":"crm","aud":"crm","sub":"a","scope":"*"}"#
    func b64(_ text: String) -> String {
      Data(text.utf8).base64EncodedString().replacingOccurrences(of: "=", with: "")
        .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
    }
    let valid = try await security.token(["*"])
    let validParts = valid.split(separator: ".")
    let cases: [(String, String)] = [
      ("expired", expired),
      ("other audience", try await security.credentials.token(subject: "a", scopes: ["*"], lifetime: .seconds(60), audience: "billing")),
      ("other issuer", try await security.credentials.token(subject: "a", scopes: ["*"], lifetime: .seconds(60), issuer: "evil")),
      ("key not in the JWKS", try await other.token(["*"])),
      ("alg none", "\(b64(header)).\(b64(claims))."),
      ("no exp, signature of another body", "\(validParts[0]).\(b64(noExpiry)).\(validParts[2])"),
      ("garbage", "not-a-token"),
      ("9 KB, over the token limit", String(repeating: "a", count: 9 * 1024)),
    ]
    let earn = Crm_Loyalty_V1_EarnPointsRequest.with {
      $0.customerID = "victim"
      $0.points = 1_000_000
      $0.reason = "forged"
      $0.idempotencyKey = .with { $0.key = "forged-1" }
    }
    for (name, token) in cases {
      let code = try await loyalty.withClient(security: security.clientSecurity(), token: token) { client in
        do {
          _ = try await Crm_Loyalty_V1_LoyaltyService.Client(wrapping: client).earnPoints(earn)
          return RPCError.Code?.none
        } catch let error as RPCError {
          return error.code
        }
      }
      #expect(code == .unauthenticated, "\(name): \(String(describing: code))")
    }
    // A 64 KB header is past the HTTP/2 layer's 16 KiB header list (swift-nio-http2's fixed
    // limit): the connection is refused before any handler runs. Never OK, never UNKNOWN, and
    // the service goes on serving.
    let huge = try await loyalty.withClient(security: security.clientSecurity(), token: String(repeating: "a", count: 64 * 1024)) { client in
      do {
        _ = try await Crm_Loyalty_V1_LoyaltyService.Client(wrapping: client).earnPoints(earn)
        return RPCError.Code?.none
      } catch let error as RPCError {
        return error.code
      }
    }
    #expect(huge != nil && huge != .unknown, "64 KB header: \(String(describing: huge))")
    // Nothing was credited; the valid token reads an untouched account.
    let balance = try await loyalty.withClient(security: security.clientSecurity(), token: valid) { client in
      do {
        return try await Crm_Loyalty_V1_LoyaltyService.Client(wrapping: client).getAccount(.with { $0.customerID = "victim" }).account.balance
      } catch let error as RPCError where error.code == .notFound {
        return 0
      }
    }
    #expect(balance == 0)
    // A plaintext client gets no answer from a TLS port.
    await #expect(throws: RPCError.self) {
      try await loyalty.withClient { client in
        var options = CallOptions.defaults
        options.timeout = .seconds(5)
        _ = try await Crm_Loyalty_V1_LoyaltyService.Client(wrapping: client).getAccount(.with { $0.customerID = "victim" }, options: options)
      }
    }
  }

  @Test("with auth on, /metrics needs a token holding metrics.read, and a rate limit answers RESOURCE_EXHAUSTED")
  func metricsAndRateLimit() async throws {
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let security = try TestSecurity(mode: .tokens, directory: directory)
    let metricsPort = try freeTCPPort()
    let loyalty = try await ServiceProcess(
      "loyalty-service", dataDirectory: directory.appendingPathComponent("loyalty"),
      arguments: security.serverArguments(for: .loyalty) + ["--metrics-port", "\(metricsPort)", "--rate-limit", "read=2"])
    defer { Task { await loyalty.terminate() } }

    func scrape(_ token: String?) async throws -> Int {
      var request = URLRequest(url: URL(string: "http://127.0.0.1:\(metricsPort)/metrics")!)
      if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
      let (_, response) = try await URLSession.shared.data(for: request)
      return (response as? HTTPURLResponse)?.statusCode ?? 0
    }
    #expect(try await scrape(nil) == 401)
    #expect(try await scrape(try await security.token(["loyalty.read"])) == 401)
    #expect(try await scrape(try await security.token(["metrics.read"])) == 200)

    // Two reads a second with a burst of four: the fifth read at once is refused, writes are not limited.
    let token = try await security.token(["loyalty.read"])
    let codes = try await loyalty.withClient(security: security.clientSecurity(), token: token) { client in
      var codes: [RPCError.Code?] = []
      for _ in 0..<5 {
        do {
          _ = try await Crm_Loyalty_V1_LoyaltyService.Client(wrapping: client).getEarningRules(.init())
          codes.append(nil)
        } catch let error as RPCError {
          codes.append(error.code)
        }
      }
      return codes
    }
    #expect(codes.prefix(4).allSatisfy { $0 == nil })
    #expect(codes.last == .resourceExhausted)
  }

  @Test("a key removed from the JWKS file stops its tokens within seconds, with no restart")
  func keyRotation() async throws {
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let security = try TestSecurity(mode: .tokens, directory: directory)
    let next = try TestSecurity(mode: .tokens, directory: directory.appendingPathComponent("next"))
    // The service reads a copy of the JWKS that the test then replaces, as a rollout would.
    let keys = directory.appendingPathComponent("jwks.json")
    try FileManager.default.copyItem(at: security.credentials.jwks, to: keys)
    var arguments = security.serverArguments(for: .loyalty)
    arguments[arguments.firstIndex(of: security.credentials.jwks.path)!] = keys.path
    let loyalty = try await ServiceProcess(
      "loyalty-service", dataDirectory: directory.appendingPathComponent("loyalty"), arguments: arguments)
    defer { Task { await loyalty.terminate() } }
    func read(with token: String) async throws -> RPCError.Code? {
      try await loyalty.withClient(security: security.clientSecurity(), token: token) { client in
        do {
          _ = try await Crm_Loyalty_V1_LoyaltyService.Client(wrapping: client).getEarningRules(.init())
          return nil
        } catch let error as RPCError {
          return error.code
        }
      }
    }
    let old = try await security.token(["loyalty.read"])
    let new = try await next.token(["loyalty.read"])
    // Given the old key: its token reads, the new one is unknown
    #expect(try await read(with: old) == nil)
    #expect(try await read(with: new) == .unauthenticated)
    // When the file is replaced by one holding only the new key (written aside, then renamed)
    try await Task.sleep(for: .milliseconds(1100))  // a modification time the service has not seen
    let staged = directory.appendingPathComponent("jwks.json.new")
    try FileManager.default.copyItem(at: next.credentials.jwks, to: staged)
    #expect(rename(staged.path, keys.path) == 0)
    // Then within a few seconds the old token is refused and the new one accepted
    let deadline = ContinuousClock.now + .seconds(10)
    var outcome: (RPCError.Code?, RPCError.Code?) = (nil, .unauthenticated)
    while ContinuousClock.now < deadline {
      outcome = (try await read(with: old), try await read(with: new))
      if outcome.0 == .unauthenticated && outcome.1 == nil { break }
      try await Task.sleep(for: .milliseconds(200))
    }
    #expect(outcome.0 == .unauthenticated)
    #expect(outcome.1 == nil)
  }

  @Test("a forged purchase event is refused and leaves no trace; the same event from segmentation's certificate is applied")
  func forgedEvent() async throws {
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let security = try TestSecurity(mode: .mutualTLS, directory: directory)
    let loyalty = try await ServiceProcess(
      "loyalty-service", dataDirectory: directory.appendingPathComponent("loyalty"),
      arguments: security.serverArguments(for: .loyalty))
    defer { Task { await loyalty.terminate() } }

    let event = Crm_Events_V1_Event.with {
      $0.eventID = "forged-purchase-1"
      $0.source = "segmentation"
      $0.customerID = "invented-customer"
      $0.occurTime = .init(date: Date())
      $0.purchaseRecorded = .with {
        $0.orderID = "o-forged"
        $0.amount = .with {
          $0.amountMinor = 1_000_000_00
          $0.currency = "CNY"
        }
        $0.purchaseTime = .init(date: Date())
        $0.channel = "web"
      }
    }
    func deliver(_ transport: HTTP2ClientTransport.Posix.TransportSecurity, token: String?) async throws -> RPCError.Code? {
      try await loyalty.withClient(security: transport, token: token) { client in
        do {
          _ = try await Crm_Events_V1_EventSink.Client(wrapping: client).deliverEvents(.with { $0.events = [event] })
          return nil
        } catch let error as RPCError {
          return error.code
        }
      }
    }
    func balance() async throws -> Int64 {
      try await loyalty.withClient(security: security.clientSecurity(), token: try await security.token(["loyalty.read"])) { client in
        do {
          return try await Crm_Loyalty_V1_LoyaltyService.Client(wrapping: client)
            .getAccount(.with { $0.customerID = "invented-customer" }).account.balance
        } catch let error as RPCError where error.code == .notFound {
          return 0
        }
      }
    }
    func certificate(of service: String) -> HTTP2ClientTransport.Posix.TransportSecurity {
      let identity = security.credentials.service(service)
      return .tls(.defaults { config in
        config.trustRoots = .certificates([.file(path: security.credentials.caCertificate.path, format: .pem)])
        config.certificateChain = [.file(path: identity.certificate.path, format: .pem)]
        config.privateKey = .file(path: identity.privateKey.path, format: .pem)
      })
    }

    // The operator may do anything, except speak for segmentation.
    #expect(try await deliver(security.clientSecurity(), token: try await security.token(["*"])) == .permissionDenied)
    // Trust may deliver events, but not purchases.
    #expect(try await deliver(certificate(of: "trust"), token: nil) == .permissionDenied)
    // The operator's certificate alone grants nothing.
    #expect(try await deliver(security.clientSecurity(), token: nil) == .permissionDenied)
    #expect(try await balance() == 0)
    // Segmentation's name on a certificate from another CA: no identity at all.
    let other = try TestSecurity(mode: .mutualTLS, directory: directory.appendingPathComponent("other"))
    let impostor = other.credentials.service("segmentation")
    let otherCA = HTTP2ClientTransport.Posix.TransportSecurity.tls(.defaults { config in
      config.trustRoots = .certificates([.file(path: security.credentials.caCertificate.path, format: .pem)])
      config.certificateChain = [.file(path: impostor.certificate.path, format: .pem)]
      config.privateKey = .file(path: impostor.privateKey.path, format: .pem)
    })
    #expect(try await deliver(otherCA, token: nil) == .unauthenticated)
    #expect(try await balance() == 0)
    // Segmentation's own certificate: applied.
    #expect(try await deliver(certificate(of: "segmentation"), token: nil) == nil)
    #expect(try await balance() > 0)
  }
}
