import Contracts
import Foundation
import GRDB
import GRPCCore
import ServiceKit
import SwiftProtobuf

extension FeedbackService {
  /// The longest window ListHotIssues ranks over.
  static let longestHotIssueWindow: TimeInterval = 366 * 86400

  /// Ranks categories or issues by the tickets created in a window, with the previous window's
  /// count and the trend.
  public func listHotIssues(
    request: Crm_Feedback_V1_ListHotIssuesRequest,
    context: ServerContext
  ) async throws -> Crm_Feedback_V1_ListHotIssuesResponse {
    let window = try hotIssueWindow(request)
    try FieldValidation.requireKnown(request.groupBy, field: "group_by")
    try FieldValidation.require(request.limit, in: 0...100, field: "limit")
    let limit = request.limit == 0 ? 10 : Int(request.limit)
    let previousStart = window.start.addingTimeInterval(-window.duration)

    let issues = try await store.database.read { db in
      let ranked = try HotIssueQuery.counts(
        request.groupBy, from: window.start, to: window.end, limit: limit, db)
      let previous = try HotIssueQuery.counts(
        request.groupBy, from: previousStart, to: window.start, keys: ranked.map(\.key), db)
      let titles = try HotIssueQuery.titles(request.groupBy, keys: ranked.map(\.key), db)
      return ranked.map { group in
        let before = previous[group.key] ?? 0
        return Crm_Feedback_V1_HotIssue.with {
          $0.key = group.key
          $0.title = titles[group.key] ?? group.key
          $0.count = group.count
          $0.previousCount = before
          $0.trendDifference = group.count - before
          $0.trendRatio = before == 0 ? 0 : Double(group.count) / Double(before)
        }
      }
    }
    return .with {
      $0.issues = issues
      $0.fromTime = Google_Protobuf_Timestamp(storeDate: window.start)
      $0.toTime = Google_Protobuf_Timestamp(storeDate: window.end)
      $0.previousFromTime = Google_Protobuf_Timestamp(storeDate: previousStart)
    }
  }

  /// The window a request asks for: `window_seconds` ending now, or `[from_time, to_time)`.
  private func hotIssueWindow(_ request: Crm_Feedback_V1_ListHotIssuesRequest) throws(ServiceError)
    -> DateInterval
  {
    if request.windowSeconds != 0 {
      guard request.windowSeconds > 0,
        TimeInterval(request.windowSeconds) <= Self.longestHotIssueWindow
      else {
        throw .invalidArgument(field: "window_seconds", reason: "must be 1 second to 366 days")
      }
      if request.hasFromTime || request.hasToTime {
        throw .invalidArgument(
          field: "window_seconds", reason: "give either window_seconds or from_time and to_time")
      }
      let end = clock.now()
      return DateInterval(
        start: end.addingTimeInterval(-TimeInterval(request.windowSeconds)), end: end)
    }
    guard request.hasFromTime else {
      throw .invalidArgument(field: "from_time", reason: "is required without window_seconds")
    }
    guard request.hasToTime else {
      throw .invalidArgument(field: "to_time", reason: "is required without window_seconds")
    }
    let start = request.fromTime.date
    let end = request.toTime.date
    guard start < end else {
      throw .invalidArgument(field: "to_time", reason: "must be after from_time")
    }
    guard end.timeIntervalSince(start) <= Self.longestHotIssueWindow else {
      throw .invalidArgument(field: "to_time", reason: "the window is at most 366 days")
    }
    return DateInterval(start: start, end: end)
  }
}

/// The counting queries behind ListHotIssues. Both walk only the window's tickets through the
/// creation-time index (`ticket_on_created_category` covers the category count), so a 30-day
/// ranking does not read the whole store.
enum HotIssueQuery {
  struct Group {
    var key: String
    var count: Int64
  }

  /// The groups with the most tickets created in `[from, to)`, most first, ties by key.
  static func counts(
    _ grouping: Crm_Feedback_V1_HotIssueGrouping, from: Date, to: Date, limit: Int,
    _ db: Database
  ) throws -> [Group] {
    let sql = "\(selection(grouping)) ORDER BY n DESC, key LIMIT ?"
    return try Row.fetchAll(db, sql: sql, arguments: [from, to, limit]).map {
      Group(key: $0["key"], count: $0["n"])
    }
  }

  /// The counts in `[from, to)` of the groups `keys` (absent when zero).
  static func counts(
    _ grouping: Crm_Feedback_V1_HotIssueGrouping, from: Date, to: Date, keys: [String],
    _ db: Database
  ) throws -> [String: Int64] {
    var found: [String: Int64] = [:]
    for group in try counts(grouping, from: from, to: to, limit: -1, db)
    where keys.contains(group.key) {
      found[group.key] = group.count
    }
    return found
  }

  /// The counting statement; arguments: window start, window end.
  static func selection(_ grouping: Crm_Feedback_V1_HotIssueGrouping) -> String {
    switch grouping {
    case .issue:
      // CROSS JOIN keeps the window's tickets the outer loop (SQLite never reorders it).
      return """
        SELECT l.issue_id AS key, COUNT(*) AS n
        FROM ticket t CROSS JOIN issue_ticket l ON l.ticket_id = t.id
        WHERE t.created_at >= ? AND t.created_at < ?
        GROUP BY l.issue_id
        """
    default:
      return """
        SELECT category AS key, COUNT(*) AS n FROM ticket
        WHERE created_at >= ? AND created_at < ?
        GROUP BY category
        """
    }
  }

  /// The display names of categories, or the titles of issues.
  static func titles(
    _ grouping: Crm_Feedback_V1_HotIssueGrouping, keys: [String], _ db: Database
  ) throws -> [String: String] {
    var titles: [String: String] = [:]
    switch grouping {
    case .issue:
      for issue in try IssueRecord.fetchAll(db, keys: keys) { titles[issue.id] = issue.title }
    default:
      for category in try CategoryRecord.fetchAll(db, keys: keys) {
        titles[category.path] = category.displayName
      }
    }
    return titles
  }
}
