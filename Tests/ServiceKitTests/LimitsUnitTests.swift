import Foundation
import GRPCCore
import Logging
import Synchronization
import Testing

@testable import ServiceKit

/// The pieces behind "limits that fail clearly": log lines that callers cannot break, error
/// messages that do not echo large values, and the request-size scanner.
@Suite("Limits: log escaping, error echo caps, request size scanner")
struct LimitsUnitTests {
  // MARK: - Log escaping

  @Test("control characters in text are escaped; plain text comes back as it was")
  func escapesText() {
    #expect(LogEscaping.escape("plain id-42 é 日本") == "plain id-42 é 日本")
    #expect(LogEscaping.escape("a\r\nb") == #"a\r\nb"#)
    #expect(LogEscaping.escape("tab\there") == #"tab\there"#)
    #expect(LogEscaping.escape("nul\u{0}bell\u{7}esc\u{1B}[31m del\u{7F}") == #"nul\u{0}bell\u{7}esc\u{1B}[31m del\u{7F}"#)
    #expect(LogEscaping.escape("nel\u{85}ls\u{2028}ps\u{2029}") == #"nel\u{85}ls\u{2028}ps\u{2029}"#)
    // Characters sharing the lead bytes of those escaped are left alone.
    #expect(LogEscaping.escape("£ – €") == "£ – €")
  }

  @Test("a formatted log line stays one line whatever the message, metadata, provider or error carry")
  func formattedLineIsOneLine() throws {
    // Given a stream handler writing into memory, behind the escaping handler, with a provider
    let output = CapturedOutput()
    let provider = Logger.MetadataProvider { ["request-id": "r\n1"] }
    var handler = EscapingLogHandler(
      wrapping: StreamLogHandler(label: "test", stream: output, metadataProvider: nil), metadataProvider: provider)
    handler.logLevel = .info
    let configured = handler
    var logger = Logger(label: "test") { _ in configured }
    logger[metadataKey: "set\non-logger"] = "v\r\n"

    // When a caller's id with CR LF and a forged line is logged in the message, metadata and an error
    let forged = "c1\r\n2026-01-01T00:00:00+0000 info test: [ServiceKit] forged"
    logger.info(
      "customer \(forged)",
      metadata: [
        "customer": .string(forged), "list": .array([.string("a\nb")]),
        "nested": .dictionary(["k": .stringConvertible(forged)]),
      ])
    configured.log(
      event: LogEvent(
        level: .error, message: "failed", error: Forged(text: forged), metadata: nil, source: nil,
        file: #fileID, function: #function, line: #line))

    // Then each call wrote exactly one line, with the breaks visible as escapes
    let lines = output.text.split(separator: "\n", omittingEmptySubsequences: false)
    #expect(lines.count == 3, "\(output.text)")
    #expect(lines.last == "")
    let first = String(lines[0])
    #expect(first.contains(#"customer c1\r\n2026-01-01T00:00:00+0000 info test: [ServiceKit] forged"#))
    #expect(first.contains(#"request-id=r\n1"#))
    #expect(first.contains(#"set\non-logger=v\r\n"#))
    #expect(!first.contains("\r"))
    let second = String(lines[1])
    #expect(second.contains(#"error.message=c1\r\n2026"#), "\(second)")
  }

  // MARK: - Quoting caller values in errors

  @Test("a caller's value in an error is quoted whole when short, else cut to 40 characters with its length")
  func quotesCallerValues() {
    #expect(FieldValidation.quoted("Europe/Paris") == "'Europe/Paris'")
    #expect(FieldValidation.quoted(String(repeating: "x", count: 40)) == "'\(String(repeating: "x", count: 40))'")
    let long = String(repeating: "x", count: 10_240)
    #expect(FieldValidation.quoted(long) == "'\(String(repeating: "x", count: 40))…' (10240 characters)")
    #expect(FieldValidation.quoted("a\nb") == #"'a\nb'"#)
    // One character with ten thousand combining marks is cut too: the cut is on scalars.
    let heavy = "e" + String(repeating: "\u{301}", count: 10_000)
    #expect(FieldValidation.quoted(heavy).utf8.count < 200)
  }

  @Test("an invalid 10 KB time zone is INVALID_ARGUMENT without the value")
  func timeZoneErrorIsShort() {
    let zone = String(repeating: "z", count: 10_240)
    #expect {
      try FieldValidation.timeZone(zone, field: "time_zone")
    } throws: { error in
      guard let error = error as? ServiceError else { return false }
      let message = error.rpcErrorMessage
      return message.utf8.count < 120 && !message.contains(String(repeating: "z", count: 41))
        && message.contains("(10240 characters)")
    }
  }

  @Test("any error message is capped at 300 bytes, and oversized status details are dropped")
  func capsMessages() {
    #expect(RPCErrorMapping.capped("short") == "short")
    let long = String(repeating: "é", count: 1_000)  // 2 bytes each
    let capped = RPCErrorMapping.capped(long)
    #expect(capped.utf8.count <= RPCErrorMapping.maxMessageBytes)
    #expect(capped.hasSuffix("…"))
    #expect(capped.hasPrefix("éé"))

    var metadata: Metadata = ["x-kept": "yes"]
    metadata.addBinary(Array(repeating: 1, count: 10_000), forKey: "grpc-status-details-bin")
    let error = RPCErrorMapping.capped(RPCError(code: .notFound, message: long, metadata: metadata))
    #expect(error.code == .notFound)
    #expect(error.message.utf8.count <= RPCErrorMapping.maxMessageBytes)
    #expect(Array(error.metadata[binaryValues: "grpc-status-details-bin"]).isEmpty)
    #expect(Array(error.metadata[stringValues: "x-kept"]) == ["yes"])

    // A domain error caps its message and its BadRequest detail.
    let domain = ServiceError.invalidArgument(field: "name", reason: String(repeating: "r", count: 10_000))
    #expect(domain.rpcErrorMessage.utf8.count <= RPCErrorMapping.maxMessageBytes)
    #expect(domain.rpcErrorMetadata[binaryValues: "grpc-status-details-bin"].allSatisfy { $0.count < 1_000 })
  }

  // MARK: - Request size scanner

  @Test("the scanner follows messages across frames and reports the first one over the limit")
  func scannerFollowsFraming() {
    var scanner = GRPCLengthPrefixScanner(limit: 100)
    // Two messages in one frame: 100 bytes (at the limit) and 3 bytes.
    let atLimit = Self.message(length: 100) + Self.message(length: 3)
    #expect(Self.scan(&scanner, atLimit) == nil)
    // A prefix split over three frames, declaring 101 bytes: reported once the prefix is whole.
    let over = Self.message(length: 101)
    #expect(Self.scan(&scanner, Array(over[0..<2])) == nil)
    #expect(Self.scan(&scanner, Array(over[2..<4])) == nil)
    #expect(Self.scan(&scanner, Array(over[4..<6])) == 101)

    // A body split over frames is skipped, and the next prefix is read where it starts.
    var split = GRPCLengthPrefixScanner(limit: 1_000)
    let body = Self.message(length: 500)
    #expect(Self.scan(&split, Array(body[0..<250])) == nil)
    #expect(Self.scan(&split, Array(body[250...]) + Self.message(length: 4_000_000, bodyBytes: 0)) == 4_000_000)
  }

  /// A gRPC message: flag 0, big-endian length, then `bodyBytes` (default: all) body bytes.
  private static func message(length: Int, bodyBytes: Int? = nil) -> [UInt8] {
    [0, UInt8(length >> 24 & 0xFF), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF)]
      + Array(repeating: 7, count: bodyBytes ?? length)
  }

  private static func scan(_ scanner: inout GRPCLengthPrefixScanner, _ bytes: [UInt8]) -> Int? {
    bytes.withUnsafeBytes { scanner.scan($0) }
  }
}

/// What a stream log handler wrote.
private final class CapturedOutput: TextOutputStream, Sendable {
  private let buffer = Mutex("")
  var text: String { buffer.withLock { $0 } }
  func write(_ string: String) { buffer.withLock { $0 += string } }
}

/// An error whose description is a caller's text.
private struct Forged: Error, CustomStringConvertible {
  var text: String
  var description: String { text }
}
