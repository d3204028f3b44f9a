import ArgumentParser
import Contracts
import ServiceKit

/// What every per-service command group shares: the method, its request, where to send it.
struct MethodCallArguments: ParsableArguments {
  @Argument(help: "The method in kebab case (e.g. get-customer); `methods` lists them.")
  var method: String

  @Argument(help: "Values for the request's plain fields, in declaration order.")
  var values: [String] = []

  @Option(help: "The request as JSON, @file for a file, or - for stdin.")
  var body: String?

  @Flag(help: "Print the response as protobuf JSON.")
  var json = false

  @OptionGroup var connection: ConnectionOptions

  /// Runs the call against `grpcService` of `service`, or lists its methods.
  func run(service: SuiteService, grpcService: String) async throws {
    let methods = RPCCatalog.methods(ofService: grpcService)
    if method == "methods" {
      for info in methods { print(MethodNames.kebab(info.descriptor.method)) }
      return
    }
    guard let info = methods.first(where: { MethodNames.kebab($0.descriptor.method) == method }) else {
      throw ValidationError(
        "unknown method '\(method)' of \(service.rawValue); one of: \(methods.map { MethodNames.kebab($0.descriptor.method) }.joined(separator: ", "))")
    }
    let request = try RequestBody.build(for: info.requestMessageName, body: body, values: values)
    try await RPCInvocation.run(
      info, requestJSON: request, at: try connection.address(of: service), security: try connection.security.resolve(),
      timeout: connection.timeout, json: json)
  }
}

/// `crm segmentation ...`: every RPC of crm.segmentation.v1.SegmentationService.
struct SegmentationCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "segmentation", abstract: "Call crm.segmentation.v1.SegmentationService (profiles, tiers, purchases).")
  @OptionGroup var call: MethodCallArguments
  func run() async throws { try await call.run(service: .segmentation, grpcService: SuiteService.segmentation.grpcServiceName) }
}

/// `crm interaction ...`: every RPC of crm.interaction.v1.InteractionService.
struct InteractionCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "interaction", abstract: "Call crm.interaction.v1.InteractionService (moments, care tasks, timeline).")
  @OptionGroup var call: MethodCallArguments
  func run() async throws { try await call.run(service: .interaction, grpcService: SuiteService.interaction.grpcServiceName) }
}

/// `crm feedback ...`: every RPC of crm.feedback.v1.FeedbackService.
struct FeedbackCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "feedback", abstract: "Call crm.feedback.v1.FeedbackService (tickets, SLA, surveys).")
  @OptionGroup var call: MethodCallArguments
  func run() async throws { try await call.run(service: .feedback, grpcService: SuiteService.feedback.grpcServiceName) }
}

/// `crm trust ...`: every RPC of crm.trust.v1.TrustService.
struct TrustCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "trust", abstract: "Call crm.trust.v1.TrustService (reviews, credentials, guarantees).")
  @OptionGroup var call: MethodCallArguments
  func run() async throws { try await call.run(service: .trust, grpcService: SuiteService.trust.grpcServiceName) }
}

/// `crm loyalty ...`: every RPC of crm.loyalty.v1.LoyaltyService.
struct LoyaltyCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "loyalty", abstract: "Call crm.loyalty.v1.LoyaltyService (points, tiers, rewards, coupons).")
  @OptionGroup var call: MethodCallArguments
  func run() async throws { try await call.run(service: .loyalty, grpcService: SuiteService.loyalty.grpcServiceName) }
}

/// `crm ops SERVICE ...`: the operations every service serves (store backup, outbox status,
/// audit trail).
struct OpsCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "ops", abstract: "Call a service's operations: backup-store, get-outbox-status, list-audit-records.")
  @Argument(help: "segmentation, interaction, feedback, trust or loyalty.")
  var service: String
  @OptionGroup var call: MethodCallArguments

  func run() async throws {
    guard let target = SuiteService(rawValue: service) else {
      throw ValidationError("unknown service '\(service)'")
    }
    let grpcService =
      switch call.method {
      case "get-outbox-status": "crm.events.v1.Outbox"
      case "list-audit-records": "crm.ops.v1.AuditLog"
      default: "crm.ops.v1.StoreAdmin"
      }
    try await call.run(service: target, grpcService: grpcService)
  }
}

/// Method names as commands spell them.
enum MethodNames {
  /// `GetCustomer` -> `get-customer`.
  static func kebab(_ name: String) -> String {
    var out = ""
    for (index, character) in name.enumerated() {
      if character.isUppercase, index > 0 { out.append("-") }
      out.append(Character(character.lowercased()))
    }
    return out
  }
}
