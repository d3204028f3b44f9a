import ArgumentParser
import Contracts
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import ServiceKit
import SwiftProtobuf

/// `crm report`: the suite's figures between two dates, gathered from all five services.
struct Report: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Gather the suite's figures between two dates: a table, JSON, or an HTML page with charts.",
    discussion: """
      Asks each service for its figures over [--from, --to): segmentation (tier mix and movement,
      retention of the customers at the start, average lifetime value),
      interaction (frequency, on-time rate, mood), feedback (SLA met %, first-contact resolution,
      CSAT, NPS), trust (rating, verified share, claims) and loyalty (points issued / redeemed /
      expired, repurchase, liability). A service that does not answer is reported as such; the
      others are still shown. Dates are YYYY-MM-DD (UTC) or RFC 3339 times.
      """)

  @Option(help: "Start of the period (inclusive).")
  var from: String

  @Option(help: "End of the period (exclusive).")
  var to: String

  @Option(help: "table, json or html.")
  var format: ReportFormat = .table

  @Option(help: "Write to this file instead of standard output.")
  var output: String?

  @Option(help: "Seconds to wait for each service.")
  var timeout: Double = 60

  @OptionGroup var addresses: SuiteAddressOptions

  func run() async throws {
    let period = try (start: ReportDates.parse(from, flag: "--from"), end: ReportDates.parse(to, flag: "--to"))
    guard period.start < period.end else { throw ValidationError("--from must be before --to") }
    var sections: [ReportSection] = []
    let security = try addresses.security.resolve()
    for (index, source) in ReportSources.all.enumerated() {
      FileHandle.standardError.write(Data("report: \(index + 1)/\(ReportSources.all.count) \(source.service.rawValue)...\n".utf8))
      sections.append(await source.gather(
        period: period, at: try addresses.address(of: source.service), security: security, timeout: timeout))
    }
    let document = ReportDocument(from: period.start, to: period.end, sections: sections)
    let text: String =
      switch format {
      case .table: document.table()
      case .json: try document.json()
      case .html: document.html()
      }
    if let output {
      try text.write(toFile: output, atomically: true, encoding: .utf8)
      FileHandle.standardError.write(Data("report written to \(output)\n".utf8))
    } else {
      print(text)
    }
    if sections.contains(where: { $0.error != nil }) { throw ExitCode(Int32(RPCError.Code.unavailable.rawValue)) }
  }
}

/// How `crm report` prints.
enum ReportFormat: String, ExpressibleByArgument, CaseIterable {
  case table, json, html
}

/// Parsing of `--from` / `--to`.
enum ReportDates {
  static func parse(_ text: String, flag: String) throws -> Date {
    let day = DateFormatter()
    day.locale = Locale(identifier: "en_US_POSIX")
    day.timeZone = TimeZone(identifier: "UTC")
    day.dateFormat = "yyyy-MM-dd"
    if let date = day.date(from: text) { return date }
    if let date = ISO8601DateFormatter().date(from: text) { return date }
    throw ValidationError("\(flag): '\(text)' is not YYYY-MM-DD or an RFC 3339 time")
  }
}

/// One service's figures method, called with the period in its two Timestamp fields.
struct ReportSource: Sendable {
  let service: SuiteService
  let grpcService: String
  let method: String
  let title: String

  func gather(
    period: (start: Date, end: Date), at address: PeerAddress, security: ClientSecurity, timeout: Double
  ) async -> ReportSection {
    guard let info = RPCCatalog.methods(ofService: grpcService).first(where: { $0.descriptor.method == method }) else {
      return ReportSection(title: title, service: service, figures: nil, error: "\(grpcService)/\(method) is not in this build")
    }
    do {
      let request = try periodRequest(for: info.requestMessageName, period: period)
      var options = CallOptions.defaults
      options.timeout = .milliseconds(Int64(timeout * 1000))
      let json = try await security.withClient(to: address) { client in
        try await info.call(client, requestJSON: request, options: options)
      }
      let figures = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] ?? [:]
      return ReportSection(title: title, service: service, figures: figures, error: nil)
    } catch let error as RPCError {
      return ReportSection(title: title, service: service, figures: nil, error: "\(StatusNames.name(error.code)): \(error.message)")
    } catch {
      return ReportSection(title: title, service: service, figures: nil, error: "\(error)")
    }
  }

  /// The request with the period in its first two Timestamp fields (from, to), whatever they are called.
  private func periodRequest(for messageName: String, period: (start: Date, end: Date)) throws -> String {
    let set = try ContractDescriptors.fileDescriptorSet()
    let message = set.file.lazy.flatMap { file in file.messageType.map { (file.package, $0) } }
      .first { "\($0.0).\($0.1.name)" == messageName }?.1
    let times = (message?.field ?? []).filter { $0.typeName == ".google.protobuf.Timestamp" }
    guard times.count >= 2 else { throw ValidationError("\(messageName) has no from/to times") }
    let formatter = ISO8601DateFormatter()
    let object = [times[0].jsonName: formatter.string(from: period.start), times[1].jsonName: formatter.string(from: period.end)]
    return String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
  }
}

/// The figures methods the report reads, in the order it shows them.
enum ReportSources {
  static let all: [ReportSource] = [
    ReportSource(service: .segmentation, grpcService: "crm.segmentation.v1.SegmentationService", method: "GetTierReport", title: "Segmentation: tier mix and movement, retention, lifetime value"),
    ReportSource(service: .interaction, grpcService: "crm.interaction.v1.InteractionService", method: "GetInteractionFigures", title: "Interaction: frequency, on-time rate, mood"),
    ReportSource(service: .feedback, grpcService: "crm.feedback.v1.FeedbackService", method: "GetFeedbackFigures", title: "Feedback: SLA, first-contact resolution, CSAT, NPS"),
    ReportSource(service: .trust, grpcService: "crm.trust.v1.TrustService", method: "GetTrustFigures", title: "Trust: rating, verified share, claims"),
    ReportSource(service: .loyalty, grpcService: "crm.loyalty.v1.LoyaltyService", method: "GetLoyaltyFigures", title: "Loyalty: points, tiers, repurchase"),
  ]
}
