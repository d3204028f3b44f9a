import Foundation

extension DevelopmentCredentials {
  /// One service or client: where its certificate, key and pre-minted token are, and the names
  /// its certificate carries.
  public struct Identity: Sendable, Hashable {
    /// Whether an identity is one of the suite's services or a client of it.
    public enum Kind: String, Sendable, Hashable {
      /// A service of the suite: `spiffe://crm/service/<name>`.
      case service
      /// A caller from outside: `spiffe://crm/client/<name>`.
      case client

      var folder: String {
        switch self {
        case .service: "services"
        case .client: "clients"
        }
      }
    }

    /// The name (`loyalty`, `operator`).
    public let name: String
    /// Service or client.
    public let kind: Kind
    /// Its certificate (PEM), signed by the CA.
    public let certificate: URL
    /// Its private key (PEM, mode 600).
    public let privateKey: URL
    /// The token minted for it at creation (mode 600).
    public let token: URL

    init(name: String, kind: Kind, directory: URL) {
      self.name = name
      self.kind = kind
      let folder = directory.appendingPathComponent(kind.folder)
      certificate = folder.appendingPathComponent("\(name).pem")
      privateKey = folder.appendingPathComponent("\(name).key")
      token = directory.appendingPathComponent("tokens/\(name).jwt")
    }

    /// The URI SAN that names the holder to the services.
    public var uri: String { "spiffe://crm/\(kind.rawValue)/\(name)" }

    /// A name usable as a DNS label, a file name and a SPIFFE path segment.
    static func isValidName(_ name: String) -> Bool {
      !name.isEmpty && name.utf8.count <= 63 && !name.hasPrefix("-") && !name.hasSuffix("-")
        && name.utf8.allSatisfy { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || $0 == UInt8(ascii: "-") }
    }
  }
}
