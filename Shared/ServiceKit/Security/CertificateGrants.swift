import Foundation

/// The permissions each certificate identity holds: the five services' own identities get the
/// service role (what their peer reads and event deliveries need); any other name gets what the
/// grants file (a JSON object from name to scopes) gives it, and nothing otherwise.
public struct CertificateGrants: Sendable {
  /// What a service needs of another: segmentation's reads (tiers, purchase checks) and event
  /// delivery. A service certificate is never an operator.
  public static let serviceRole: Set<String> = [Permission.read(.segmentation).description, Permission.deliverEvents.description]

  private let grants: [String: Set<String>]

  /// No grants beyond the service role.
  public init() { grants = [:] }

  /// Reads a grants file: `{"ops-console": ["*.read", "loyalty.operate"]}`.
  public init(contentsOf path: String) throws {
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
      throw GrantsFileError(problem: "is not a JSON object from identity to a list of permissions")
    }
    var grants: [String: Set<String>] = [:]
    for (name, value) in object {
      guard let scopes = value as? [String] else {
        throw GrantsFileError(problem: "the grants of '\(name.prefix(40))' are not a list of strings")
      }
      grants[name] = Set(scopes)
    }
    self.grants = grants
  }

  /// What the certificate identity `name` may do; only a certificate issued to a service
  /// (not a client certificate that happens to carry a service's name) gets the service role.
  public func grants(for name: String, isService: Bool) -> Set<String> {
    var result = grants[name] ?? []
    if isService && SuiteService(rawValue: name) != nil { result.formUnion(Self.serviceRole) }
    return result
  }
}

/// A grants file that cannot be used.
struct GrantsFileError: Error, CustomStringConvertible {
  var problem: String
  var description: String { problem }
}
