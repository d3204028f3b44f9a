import Contracts
import Foundation
import GRPCCore
import Testing

@testable import ServiceKit

@Suite("Access control: the permission table, scopes, rate limits, event owners, the bind rule")
struct AccessControlTests {
  @Test("every RPC of the generated catalog, health and reflection has a declared permission")
  func everyRPCIsDeclared() {
    // Given every unary RPC the contracts define, plus the streaming health and reflection ones
    var methods = RPCCatalog.methods.map(\.descriptor)
    methods += [
      Grpc_Health_V1_Health.Method.Check.descriptor, Grpc_Health_V1_Health.Method.Watch.descriptor,
      Grpc_Reflection_V1_ServerReflection.Method.ServerReflectionInfo.descriptor,
      Grpc_Reflection_V1alpha_ServerReflection.Method.ServerReflectionInfo.descriptor,
    ]
    // Then each has an entry on every service, and the service's own RPCs require its own scope
    for method in methods {
      for service in SuiteService.allCases {
        #expect(
          PermissionTable.access(for: method, on: service) != nil,
          "\(method.fullyQualifiedMethod) has no permission: add it to PermissionTable")
      }
    }
    for (method, permission) in PermissionTable.rows() {
      let service = method.split(separator: ".")[1]
      #expect(permission.hasPrefix("\(service)."), "\(method) requires \(permission)")
    }
  }

  @Test("the table names no RPC that the contracts do not define")
  func noStaleEntries() {
    let defined = Set(RPCCatalog.methods.map(\.descriptor.fullyQualifiedMethod))
    for (method, _) in PermissionTable.rows() {
      #expect(defined.contains(method), "\(method) is in PermissionTable but not in the contracts")
    }
  }

  @Test("health is open; reflection follows its setting; the kit's RPCs take the host's scope")
  func sharedServices() {
    #expect(PermissionTable.access(for: Grpc_Health_V1_Health.Method.Check.descriptor, on: .trust) == .open)
    let reflection = Grpc_Reflection_V1_ServerReflection.Method.ServerReflectionInfo.descriptor
    #expect(PermissionTable.access(for: reflection, on: .trust) == .requires(.read(.trust)))
    #expect(PermissionTable.access(for: reflection, on: .trust, reflection: .open) == .open)
    #expect(
      PermissionTable.access(for: Crm_Ops_V1_StoreAdmin.Method.BackupStore.descriptor, on: .loyalty)
        == .requires(.operate(.loyalty)))
    #expect(
      PermissionTable.access(for: Crm_Events_V1_EventSink.Method.DeliverEvents.descriptor, on: .loyalty)
        == .requires(.deliverEvents))
    #expect(
      PermissionTable.access(for: Crm_Segmentation_V1_SegmentationService.Method.EraseCustomer.descriptor, on: .segmentation)
        == .requires(.operate(.segmentation)))
    let unknown = MethodDescriptor(fullyQualifiedService: "crm.x.v1.X", method: "Y")
    #expect(PermissionTable.access(for: unknown, on: .trust) == nil)
  }

  @Test(
    "scopes with wildcards cover what they say and nothing more",
    arguments: [
      ("loyalty.read", "loyalty.read", true), ("loyalty.*", "loyalty.operate", true),
      ("*.read", "trust.read", true), ("*", "events.deliver", true), ("loyalty.read", "loyalty.write", false),
      ("*.read", "trust.write", false), ("loyalty", "loyalty.read", false), ("loyalty.rea", "loyalty.read", false),
      ("trust.*", "loyalty.read", false),
    ])
  func scopes(grant: String, permission: String, covered: Bool) {
    let parts = permission.split(separator: ".")
    let required = Permission(String(parts[0]), Permission.Level(rawValue: String(parts[1]))!)
    #expect(required.isCovered(by: grant) == covered)
  }

  @Test("a bucket allows its burst, refuses past it, and refills with time")
  func rateLimit() {
    let limiter = RateLimiter(rates: [.operate: 2])
    let start = ContinuousClock.now
    // Given a rate of 2 per second (burst 4)
    let first = (0..<5).map { _ in limiter.allow("alice", level: .operate, now: start) }
    // Then four pass and the fifth is refused; another identity and another level are not affected
    #expect(first == [true, true, true, true, false])
    #expect(limiter.allow("bob", level: .operate, now: start))
    #expect(limiter.allow("alice", level: .read, now: start))
    // When a second passes, two more calls are allowed
    #expect(limiter.allow("alice", level: .operate, now: start + .seconds(1)))
    #expect(limiter.allow("alice", level: .operate, now: start + .seconds(1)))
    #expect(!limiter.allow("alice", level: .operate, now: start + .seconds(1)))
  }

  @Test("an event is accepted only from the service that owns its kind, naming itself as source")
  func eventOwners() throws {
    let purchase = Crm_Events_V1_Event.with {
      $0.eventID = "e1"
      $0.source = "segmentation"
      $0.purchaseRecorded = .init()
    }
    let segmentation = CallerIdentity(name: "segmentation", proof: .certificate, grants: ["events.deliver"])
    let trust = CallerIdentity(name: "trust", proof: .token, grants: ["events.deliver"])
    try EventOwnership.check([purchase], from: segmentation)
    try EventOwnership.check([purchase], from: nil)
    #expect(throws: RPCError.self) { try EventOwnership.check([purchase], from: trust) }
    // A service cannot pass its own events off as another's either
    var forged = purchase
    forged.source = "trust"
    #expect(throws: RPCError.self) { try EventOwnership.check([forged], from: segmentation) }
    let operatorToken = CallerIdentity(name: "operator", proof: .token, grants: ["*"])
    #expect(throws: RPCError.self) { try EventOwnership.check([purchase], from: operatorToken) }
  }

  @Test("beyond loopback a service refuses to start without TLS and auth, unless told --insecure")
  func bindRule() throws {
    #expect(throws: ConfigurationError.self) {
      try ServiceSettings.resolve(ServiceOptions.parse(["--host", "0.0.0.0"]), service: .loyalty, environment: [:])
    }
    let insecure = try ServiceSettings.resolve(
      ServiceOptions.parse(["--host", "0.0.0.0", "--insecure"]), service: .loyalty, environment: [:])
    #expect(insecure.security.insecure)
    let fromEnvironment = try ServiceSettings.resolve(
      ServiceOptions.parse([]), service: .loyalty, environment: ["CRM_HOST": "0.0.0.0", "CRM_INSECURE": "true"])
    #expect(fromEnvironment.host == "0.0.0.0")
    do {
      _ = try ServiceSettings.resolve(ServiceOptions.parse(["--host", "10.1.2.3"]), service: .loyalty, environment: [:])
      Issue.record("started beyond loopback with no door")
    } catch let error as ConfigurationError {
      #expect(error.setting.contains("--host"))
      #expect(error.problem.contains("--tls-cert-file") && error.problem.contains("--insecure"))
    }
    let loopback = try ServiceSettings.resolve(ServiceOptions.parse(["--host", "127.0.0.1"]), service: .loyalty, environment: [:])
    #expect(!loopback.security.tlsEnabled && !loopback.security.authEnabled)
  }

  @Test("rate limits parse per level, and a bad one names the setting")
  func rateLimitSetting() throws {
    let settings = try ServiceSettings.resolve(
      ServiceOptions.parse(["--rate-limit", "read=500, operate=5"]), service: .trust, environment: [:])
    #expect(settings.security.rateLimits == [.read: 500, .operate: 5])
    do {
      _ = try ServiceSettings.resolve(ServiceOptions.parse(["--rate-limit", "erase=5"]), service: .trust, environment: [:])
      Issue.record("accepted an unknown level")
    } catch let error as ConfigurationError {
      #expect(error.setting == "--rate-limit")
    }
  }
}
