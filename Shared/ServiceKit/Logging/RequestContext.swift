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
  public static func bootstrap(level: Logger.Level) {
    LoggingSystem.bootstrap(
      { label, provider in
        var handler = StreamLogHandler.standardError(label: label, metadataProvider: provider)
        handler.logLevel = level
        return handler
      },
      metadataProvider: RequestContext.metadataProvider
    )
  }
}
