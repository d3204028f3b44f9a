import Foundation
import Testing

@testable import ServiceKit

@Suite("Settings: flags, then environment, then defaults")
struct ServiceSettingsTests {
  @Test("defaults give each service its own port on loopback and a store under ./data")
  func defaults() throws {
    let settings = try ServiceSettings.resolve(ServiceOptions.parse([]), service: .trust, environment: [:])
    #expect(settings.host == "127.0.0.1")
    #expect(settings.port == 50054)
    #expect(settings.databasePath == "./data/trust.sqlite")
    #expect(settings.peers[.segmentation] == PeerAddress(host: "127.0.0.1", port: 50051))
  }

  @Test("a flag wins over its environment variable, which wins over the default")
  func precedence() throws {
    let environment = ["CRM_PORT": "6000", "CRM_DATA_DIR": "/tmp/env-data", "CRM_LOG_LEVEL": "debug"]
    let options = try ServiceOptions.parse(["--port", "7000"])
    let settings = try ServiceSettings.resolve(options, service: .loyalty, environment: environment)
    #expect(settings.port == 7000)
    #expect(settings.dataDirectory == "/tmp/env-data")
    #expect(settings.databasePath == "/tmp/env-data/loyalty.sqlite")
    #expect(settings.logLevel == .debug)
  }

  @Test("trust's review policy: verified-only, photos per review and the complaint rating")
  func reviewPolicy() throws {
    let defaults = try ServiceSettings.resolve(ServiceOptions.parse([]), service: .trust, environment: [:])
    #expect(!defaults.reviewVerifiedOnly && defaults.reviewMaxPhotos == 9 && defaults.reviewComplaintRating == 2)
    let settings = try ServiceSettings.resolve(
      ServiceOptions.parse(["--review-verified-only", "true", "--review-complaint-rating", "0"]),
      service: .trust, environment: ["CRM_REVIEW_MAX_PHOTOS": "3"])
    #expect(settings.reviewVerifiedOnly)
    #expect(settings.reviewMaxPhotos == 3)
    #expect(settings.reviewComplaintRating == 0)
  }

  @Test("peer addresses come from flags or CRM_<SERVICE>_ADDR")
  func peers() throws {
    let options = try ServiceOptions.parse(["--loyalty-addr", "loyalty:9000"])
    let settings = try ServiceSettings.resolve(
      options, service: .segmentation, environment: ["CRM_INTERACTION_ADDR": "10.0.0.2:7001"])
    #expect(settings.peers[.loyalty] == PeerAddress(host: "loyalty", port: 9000))
    #expect(settings.peers[.interaction] == PeerAddress(host: "10.0.0.2", port: 7001))
  }

  @Test(
    "a bad value names the setting it came from",
    arguments: [
      (["--port", "70000"], [String: String](), "--port"),
      ([], ["CRM_PORT": "http"], "CRM_PORT"),
      (["--log-level", "loud"], [:], "--log-level"),
      ([], ["CRM_TRUST_ADDR": "no-port"], "CRM_TRUST_ADDR"),
      (["--max-request-bytes", "12"], [:], "--max-request-bytes"),
      (["--data-dir", ""], [:], "--data-dir"),
      (["--review-verified-only", "maybe"], [:], "--review-verified-only"),
      ([], ["CRM_REVIEW_MAX_PHOTOS": "51"], "CRM_REVIEW_MAX_PHOTOS"),
      (["--review-complaint-rating", "6"], [:], "--review-complaint-rating"),
    ])
  func badValues(arguments: [String], environment: [String: String], setting: String) throws {
    let options = try ServiceOptions.parse(arguments)
    #expect(throws: ConfigurationError.self) {
      try ServiceSettings.resolve(options, service: .feedback, environment: environment)
    }
    do {
      _ = try ServiceSettings.resolve(options, service: .feedback, environment: environment)
    } catch {
      #expect(error.setting == setting)
      #expect(!error.description.contains("\n"))
    }
  }

  @Test("the reference lists every flag the command line takes")
  func referenceCoversFlags() {
    let help = ServiceOptions.helpMessage()
    for row in ServiceSettings.reference {
      #expect(help.contains(row.flag), "\(row.flag) is in the reference but not a flag")
      #expect(help.contains(row.environment), "\(row.environment) is not named in the help")
    }
  }
}

@Suite("The README's configuration table")
struct ConfigurationReferenceTests {
  @Test("lists exactly the settings the code reads, with their defaults")
  func readmeMatchesCode() throws {
    let readme = URL(fileURLWithPath: #filePath)
      .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("README.md")
    let text = try String(contentsOf: readme, encoding: .utf8)
    let rows = text.split(separator: "\n").filter { $0.hasPrefix("| `--") }.map { line in
      line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "`", with: "") }
    }
    let documented = rows.map { "\($0[0]) \($0[1]) \($0[2])" }
    let code = ServiceSettings.reference.map { "\($0.flag) \($0.environment) \($0.defaultValue)" }
    #expect(documented == code)
  }
}
