import Foundation
import GRDB
import ServiceKit

/// Turns people's words into FTS5 queries. User text never reaches MATCH as syntax: each word
/// becomes a quoted FTS5 string (a trailing "*" keeps its prefix meaning), so quotes, colons,
/// parentheses, NEAR, AND/OR/NOT and the like are searched for as words or dropped, never
/// parsed.
enum ArticleSearch {
  /// The FTS5 table over `article` (title, body).
  static let tableName = "article_fts"
  /// At most this many words of a ticket feed a suggestion.
  static let suggestionWords = 32

  /// The words of `text` as quoted FTS5 terms: runs of letters and digits, each optionally
  /// followed by "*" for a prefix search.
  static func terms(_ text: String, allowPrefix: Bool) -> [String] {
    var terms: [String] = []
    var word = ""
    func flush(prefix: Bool) {
      guard !word.isEmpty else { return }
      // Doubling quotes is FTS5's escape; words hold none, but the rule is kept in one place.
      let quoted = "\"" + word.replacingOccurrences(of: "\"", with: "\"\"") + "\""
      terms.append(prefix && allowPrefix ? quoted + " *" : quoted)
      word = ""
    }
    for character in text {
      if character.isLetter || character.isNumber {
        word.append(character)
      } else {
        flush(prefix: character == "*")
      }
    }
    flush(prefix: false)
    return terms
  }

  /// A MATCH pattern needing every word of `query`, or INVALID_ARGUMENT naming `query`.
  static func allWords(_ query: String) throws(ServiceError) -> String {
    let text = query.trimmingCharacters(in: .whitespacesAndNewlines)
    if text.isEmpty { throw .invalidArgument(field: "query", reason: "is required") }
    if text.count > 500 {
      throw .invalidArgument(field: "query", reason: "must be at most 500 characters")
    }
    let terms = terms(text, allowPrefix: true)
    if terms.isEmpty {
      throw .invalidArgument(field: "query", reason: "has no words to search for")
    }
    return terms.joined(separator: " AND ")
  }

  /// A MATCH pattern matching any of the words of `text` (distinct, first ones first), or nil
  /// when it has none.
  static func anyWord(_ text: String) -> String? {
    var seen = Set<String>()
    let terms = terms(text, allowPrefix: false).filter { seen.insert($0.lowercased()).inserted }
    return terms.isEmpty ? nil : terms.prefix(suggestionWords).joined(separator: " OR ")
  }

  /// Runs an FTS read; a MATCH the engine still rejects is the caller's query, never INTERNAL.
  static func matching<T>(_ body: () throws -> T) throws -> T {
    do {
      return try body()
    } catch let error as DatabaseError where error.resultCode == .SQLITE_ERROR {
      throw ServiceError.invalidArgument(field: "query", reason: "is not a search the index accepts")
    }
  }
}
