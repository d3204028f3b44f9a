import ArgumentParser
import Foundation
import ServiceKit

/// Where a service command connects, with what credentials, and how long it waits.
struct ConnectionOptions: ParsableArguments {
  @Option(help: "host:port of the service (default: CRM_<SERVICE>_ADDR, then 127.0.0.1:<default port>).")
  var addr: String?

  @Option(help: "Seconds to wait for the answer.")
  var timeout: Double = 10

  @OptionGroup var security: ClientSecurityOptions

  /// The address to call `service` at.
  func address(of service: SuiteService) throws -> PeerAddress {
    try ServiceAddress.resolve(service, flag: addr, flagName: "--addr")
  }
}

/// Where a service is: its flag, then `CRM_<SERVICE>_ADDR`, then its default port on loopback.
enum ServiceAddress {
  static func resolve(_ service: SuiteService, flag: String?, flagName: String) throws -> PeerAddress {
    guard let text = flag ?? ProcessInfo.processInfo.environment["CRM_\(service.rawValue.uppercased())_ADDR"] else {
      return PeerAddress(host: "127.0.0.1", port: service.defaultPort)
    }
    guard let address = PeerAddress(parsing: text) else {
      throw ValidationError("\(flagName): '\(text)' is not host:port")
    }
    return address
  }
}
