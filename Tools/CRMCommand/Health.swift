import ArgumentParser
import Contracts
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import ServiceKit

/// Addresses of the five services, from flags, then CRM_<SERVICE>_ADDR, then the defaults; and
/// the credentials to call them with.
struct SuiteAddressOptions: ParsableArguments {
  @Option(name: .customLong("segmentation-addr"), help: "host:port of segmentation.") var segmentation: String?
  @Option(name: .customLong("interaction-addr"), help: "host:port of interaction.") var interaction: String?
  @Option(name: .customLong("feedback-addr"), help: "host:port of feedback.") var feedback: String?
  @Option(name: .customLong("trust-addr"), help: "host:port of trust.") var trust: String?
  @Option(name: .customLong("loyalty-addr"), help: "host:port of loyalty.") var loyalty: String?

  @OptionGroup var security: ClientSecurityOptions

  func address(of service: SuiteService) throws -> PeerAddress {
    let flag: String? =
      switch service {
      case .segmentation: segmentation
      case .interaction: interaction
      case .feedback: feedback
      case .trust: trust
      case .loyalty: loyalty
      }
    return try ServiceAddress.resolve(service, flag: flag, flagName: "--\(service.rawValue)-addr")
  }
}

/// `crm health`: every service's health at a glance; exits 14 (UNAVAILABLE) unless all serve.
struct Health: AsyncParsableCommand {
  static let configuration = CommandConfiguration(abstract: "Show every service's health (grpc.health.v1).")

  @OptionGroup var addresses: SuiteAddressOptions

  @Option(help: "Seconds to wait for each service.")
  var timeout: Double = 2

  @Flag(help: "Print JSON instead of a table.")
  var json = false

  func run() async throws {
    var rows: [(service: SuiteService, address: PeerAddress, status: String)] = []
    let security = try addresses.security.resolve()
    for service in SuiteService.allCases {
      let address = try addresses.address(of: service)
      rows.append((service, address, await HealthProbe.status(of: address, security: security, timeout: timeout)))
    }
    if json {
      let objects = rows.map { ["service": $0.service.rawValue, "address": $0.address.description, "status": $0.status] }
      let data = try JSONSerialization.data(withJSONObject: objects, options: [.prettyPrinted, .sortedKeys])
      print(String(decoding: data, as: UTF8.self))
    } else {
      print(SuiteTable.render(rows.map { ($0.service.rawValue, $0.address.description, $0.status) }))
    }
    if rows.contains(where: { $0.status != "SERVING" }) { throw ExitCode(Int32(RPCError.Code.unavailable.rawValue)) }
  }
}

/// One health check over HTTP/2.
enum HealthProbe {
  /// SERVING, NOT_SERVING, or UNAVAILABLE (with why) when the service does not answer.
  static func status(of address: PeerAddress, security: ClientSecurity, timeout: Double) async -> String {
    var options = CallOptions.defaults
    options.timeout = .milliseconds(Int64(timeout * 1000))
    do {
      return try await security.withClient(to: address) { client in
        let response = try await Grpc_Health_V1_Health.Client(wrapping: client).check(.with { $0.service = "" }, options: options)
        return response.status == .serving ? "SERVING" : "NOT_SERVING"
      }
    } catch let error as RPCError {
      return error.code == .unavailable ? "UNAVAILABLE" : "UNAVAILABLE (\(StatusNames.name(error.code)))"
    } catch {
      return "UNAVAILABLE"
    }
  }
}

/// The service / address / status table `up` and `health` print.
enum SuiteTable {
  static func render(_ rows: [(String, String, String)]) -> String {
    let header = ("SERVICE", "ADDRESS", "STATUS")
    let all = [header] + rows
    let first = all.map(\.0.count).max() ?? 0
    let second = all.map(\.1.count).max() ?? 0
    return all.map {
      $0.0.padding(toLength: first, withPad: " ", startingAt: 0) + "  "
        + $0.1.padding(toLength: second, withPad: " ", startingAt: 0) + "  " + $0.2
    }.joined(separator: "\n")
  }
}
