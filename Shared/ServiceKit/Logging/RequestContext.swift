import Foundation
import Logging

/// The id of the RPC being served, bound for the duration of the handler so that every log
/// line written while serving it carries `request-id` without passing it around.
public enum RequestContext {
  /// The current RPC's id, or nil outside an RPC.
  @TaskLocal public static var requestID: String?

  /// A metadata provider that adds `request-id` to every log line written inside an RPC.
  public static let metadataProvider = Logger.MetadataProvider {
    guard let requestID else { return [:] }
    return ["request-id": .string(requestID)]
  }

  /// A fresh id for an RPC whose caller sent none.
  static func newID() -> String {
    UUID().uuidString.lowercased()
  }
}

/// Process-wide logging set-up; call once, first thing in `main`.
public enum LoggingSetup {
  /// Logs go to standard error as `timestamp level label: message metadata`, with the request
  /// id of the current RPC; standard output is kept for the one "listening on" line.
  ///
  /// Every line passes through ``EscapingLogHandler``: ids and names in messages and metadata
  /// come from callers, and a line break in one must not start a forged log line.
  public static func bootstrap(level: Logger.Level) {
    LoggingSystem.bootstrap(
      { label, provider in
        var handler = EscapingLogHandler(
          wrapping: StreamLogHandler.standardError(label: label, metadataProvider: nil),
          metadataProvider: provider)
        handler.logLevel = level
        return handler
      },
      metadataProvider: RequestContext.metadataProvider
    )
  }
}

/// A log handler that escapes control characters in the message and in every metadata key and
/// value (with the provider's metadata and the event's error folded in) before `Inner` formats
/// the line, so caller-supplied text can never break a log line in two.
///
/// `Inner` gets no metadata of its own and no provider: everything it prints has been through
/// ``LogEscaping/escape(_:)``.
public struct EscapingLogHandler<Inner: LogHandler>: LogHandler {
  private var inner: Inner

  /// Metadata set on the logger (`logger[metadataKey:]`), escaped when a line is written.
  public var metadata: Logger.Metadata = [:]
  /// Adds metadata (such as the request id) to each line; its values are escaped too.
  public var metadataProvider: Logger.MetadataProvider?

  /// Wraps `inner`, which should have no metadata provider of its own (its output would not be
  /// escaped); `metadataProvider` takes that role here.
  public init(wrapping inner: Inner, metadataProvider: Logger.MetadataProvider? = nil) {
    self.inner = inner
    self.metadataProvider = metadataProvider
  }

  /// The level below which lines are dropped (that of `Inner`).
  public var logLevel: Logger.Level {
    get { inner.logLevel }
    set { inner.logLevel = newValue }
  }

  /// One metadata value of this logger.
  public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
    get { metadata[key] }
    set { metadata[key] = newValue }
  }

  /// Escapes the message and the merged metadata, then hands the event to `Inner`.
  public func log(event: LogEvent) {
    var merged = metadata
    if let provided = metadataProvider?.get(), !provided.isEmpty {
      merged.merge(provided) { _, provided in provided }
    }
    if let explicit = event.metadata, !explicit.isEmpty {
      merged.merge(explicit) { _, explicit in explicit }
    }
    // What `StreamLogHandler` would print for an error, but escaped: an error's description may
    // quote a caller's value.
    if let error = event.error {
      merged["error.message"] = .string("\(error)")
      merged["error.type"] = .string(String(reflecting: type(of: error)))
    }
    var escaped = event
    escaped.message = Logger.Message(stringLiteral: LogEscaping.escape(event.message.description))
    escaped.metadata = merged.isEmpty ? nil : LogEscaping.escape(merged)
    escaped.error = nil
    inner.log(event: escaped)
  }
}

/// Escaping of caller-supplied text for one-line output (log lines, error messages).
public enum LogEscaping {
  /// `text` with `\r`, `\n` and `\t` written as those two-character escapes and every other
  /// control character (C0, DEL, C1, and the Unicode line and paragraph separators) as
  /// `\u{XX}`; returned unchanged (no copy) when there is none.
  public static func escape(_ text: String) -> String {
    // Fast path on bytes: the characters to escape all start with a byte below 0x20, 0x7F, or
    // the lead byte 0xC2 (U+0080...U+00BF) or 0xE2 (U+2000...U+2FFF); most text has none.
    guard text.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F || $0 == 0xC2 || $0 == 0xE2 }) else {
      return text
    }
    var result = String.UnicodeScalarView()
    for scalar in text.unicodeScalars {
      switch scalar.value {
      case 0x0A: result.append(contentsOf: #"\n"#.unicodeScalars)
      case 0x0D: result.append(contentsOf: #"\r"#.unicodeScalars)
      case 0x09: result.append(contentsOf: #"\t"#.unicodeScalars)
      case 0x00...0x1F, 0x7F...0x9F, 0x2028, 0x2029:
        result.append(contentsOf: "\\u{\(String(scalar.value, radix: 16, uppercase: true))}".unicodeScalars)
      default: result.append(scalar)
      }
    }
    return String(result)
  }

  /// `metadata` with every key and (nested) value escaped.
  public static func escape(_ metadata: Logger.Metadata) -> Logger.Metadata {
    var escaped: Logger.Metadata = [:]
    escaped.reserveCapacity(metadata.count)
    for (key, value) in metadata { escaped[escape(key)] = escape(value) }
    return escaped
  }

  private static func escape(_ value: Logger.Metadata.Value) -> Logger.Metadata.Value {
    switch value {
    case .string(let text): .string(escape(text))
    case .stringConvertible(let convertible): .string(escape(convertible.description))
    case .array(let values): .array(values.map(escape))
    case .dictionary(let metadata): .dictionary(escape(metadata))
    }
  }
}
