import ArgumentParser
import DevCredentials
import Foundation
import ServiceKit

/// `crm dev-credentials`: a development CA with certificates and tokens, or a fresh token.
struct DevCredentialsCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "dev-credentials",
    abstract: "Make development TLS certificates and tokens, or print a fresh token.",
    discussion: """
      Without --token: makes --dir (unless it already holds credentials) with a CA, a certificate
      and key per service and client, jwt/jwks.json with the token signing key, and a token per
      identity under tokens/ (services: segmentation.read events.deliver; operator: *; other
      clients: *.read; 30 days), then lists the files. `crm up --secure` uses <data-dir>/pki.
      With --token SUBJECT: prints a fresh token for SUBJECT with the --scope permissions
      (wildcards: *, loyalty.*, *.read), signed with the key in --dir, and nothing else.
      For development only: the CA's key lies beside the certificates.
      """)

  @Option(help: "Directory of the credentials (default: <data-dir>/pki, data-dir being CRM_DATA_DIR, then ./data).")
  var dir: String?

  @Option(name: .customLong("service"), help: "A service to make a certificate for (repeatable; default: the five).")
  var services: [String] = []

  @Option(name: .customLong("client"), help: "A client to make a certificate for (repeatable; default: operator).")
  var clients: [String] = []

  @Option(help: "Days the certificates are valid.")
  var days = 365

  @Option(help: "Print a fresh token for this subject instead.")
  var token: String?

  @Option(help: "Permissions of the --token (repeatable, or several separated by spaces).")
  var scope: [String] = []

  @Option(help: "Seconds the --token is valid.")
  var lifetime = 3600

  @Option(help: "`iss` of the --token.")
  var issuer = "crm"

  @Option(help: "`aud` of the --token.")
  var audience = "crm"

  func validate() throws {
    guard (1...3650).contains(days) else { throw ValidationError("--days must be 1 to 3650") }
    guard lifetime >= 1 else { throw ValidationError("--lifetime must be at least 1 second") }
    if token == nil, !scope.isEmpty { throw ValidationError("--scope goes with --token") }
    if let token, token.isEmpty { throw ValidationError("--token needs a subject") }
  }

  func run() async throws {
    let directory = URL(fileURLWithPath: dir ?? ClientSecurityOptions.pkiDirectory(
      dataDirectory: nil, environment: ProcessInfo.processInfo.environment).path)
    let credentials: DevelopmentCredentials
    let made: Bool
    do {
      if DevelopmentCredentials.exist(in: directory) {
        credentials = try DevelopmentCredentials.load(from: directory)
        made = false
      } else {
        credentials = try DevelopmentCredentials.create(
          in: directory, services: services.isEmpty ? SuiteService.allCases.map(\.rawValue) : services,
          clients: clients.isEmpty ? [SuitePKI.operatorClient] : clients,
          validity: .seconds(days * 86_400))
        made = true
      }
    } catch let error as DevelopmentCredentialsError {
      throw CredentialsProblem(error.description)
    }
    if let token {
      let scopes = scope.flatMap { $0.split(separator: " ").map(String.init) }
      print(
        try await credentials.token(
          subject: token, scopes: scopes, lifetime: .seconds(lifetime), issuer: issuer, audience: audience))
      return
    }
    if !made, !(services.isEmpty && clients.isEmpty) {
      FileHandle.standardError.write(Data(
        "note: \(directory.path) already holds credentials; --service and --client apply only when it is made\n".utf8))
    }
    print(Self.summary(of: credentials, made: made))
  }

  /// What is where, and how a service is started with it.
  static func summary(of credentials: DevelopmentCredentials, made: Bool) -> String {
    func pad(_ text: String) -> String { text.padding(toLength: 22, withPad: " ", startingAt: 0) }
    var lines = ["\(made ? "made" : "found") development credentials in \(credentials.directory.path)"]
    lines.append("  \(pad("CA")) ca.pem (key ca.key)")
    lines.append("  \(pad("token keys")) jwt/jwks.json (signing key jwt/signing-key.pem)")
    for identity in credentials.services.map(credentials.service) + credentials.clients.map(credentials.client) {
      let folder = identity.certificate.deletingLastPathComponent().lastPathComponent
      lines.append(
        "  \(pad("\(identity.kind.rawValue) \(identity.name)")) \(folder)/\(identity.name).pem .key, tokens/\(identity.name).jwt")
    }
    if let service = credentials.services.first {
      lines.append(
        "a service by hand: \(service)-service "
          + SuiteLauncher.securityArguments(of: service, in: credentials).joined(separator: " "))
    }
    return lines.joined(separator: "\n")
  }
}
