import ArgumentParser
import Foundation
import ServiceKit

/// Where a service command connects and how long it waits.
struct ConnectionOptions: ParsableArguments {
  @Option(help: "host:port of the service (default: CRM_<SERVICE>_ADDR, then 127.0.0.1:<default port>).")
  var addr: String?

  @Option(help: "Seconds to wait for the answer.")
  var timeout: Double = 10

  /// The address to call `service` at.
  func address(of service: SuiteService) throws -> PeerAddress {
    let variable = "CRM_\(service.rawValue.uppercased())_ADDR"
    let text = addr ?? ProcessInfo.processInfo.environment[variable]
    guard let text else { return PeerAddress(host: "127.0.0.1", port: service.defaultPort) }
    guard let address = PeerAddress(parsing: text) else {
      throw ValidationError("--addr: '\(text)' is not host:port")
    }
    return address
  }
}
