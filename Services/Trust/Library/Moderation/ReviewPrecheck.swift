import Foundation
import GRDB

/// The automatic look at a submitted review. It only flags a review for a moderator; it never
/// publishes or rejects, because a word list and a pattern cannot judge a review.
enum ReviewPrecheck {
  static let bannedWord = "banned_word"
  static let link = "link"
  static let duplicateText = "duplicate_text"
  /// Shorter texts ("Good.", "Great phone") repeat honestly, so they are not compared.
  static let duplicateMinimumLength = 20

  /// The text as compared for duplicates: lower case, single spaces.
  static func normalized(_ text: String) -> String {
    text.lowercased().split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
  }

  /// A 64-bit FNV-1a fingerprint of the normalised text (stable across processes, unlike
  /// `Hasher`); empty for texts too short to compare.
  static func textHash(_ text: String) -> String {
    let normalized = normalized(text)
    guard normalized.count >= duplicateMinimumLength else { return "" }
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in normalized.utf8 {
      hash ^= UInt64(byte)
      hash = hash &* 0x100_0000_01b3
    }
    return String(hash, radix: 16)
  }

  /// What a moderator should look at in this review, in a fixed order.
  static func flags(_ db: Database, title: String, text: String, textHash: String, reviewID: String) throws -> [String] {
    let banned = try String.fetchAll(db, sql: "SELECT word FROM banned_word")
    // One matching review is enough: counting them all would walk every copy of a common text.
    var duplicated = false
    if !textHash.isEmpty {
      duplicated = try Bool.fetchOne(
        db, sql: "SELECT EXISTS (SELECT 1 FROM review WHERE text_hash = ? AND id != ?)",
        arguments: [textHash, reviewID]) ?? false
    }
    return flags(title: title, text: text, bannedWords: banned, duplicated: duplicated)
  }

  /// The flags of a review whose duplicate check is already answered (the bulk fill knows the
  /// texts it wrote); the same rules and order as the check above.
  static func flags(title: String, text: String, bannedWords: [String], duplicated: Bool) -> [String] {
    var flags: [String] = []
    let content = (title + " " + text).lowercased()
    let words = Set(content.split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map(String.init))
    if bannedWords.contains(where: { words.contains($0.lowercased()) }) { flags.append(bannedWord) }
    if content.contains("http://") || content.contains("https://") || content.contains("www.") {
      flags.append(link)
    }
    if duplicated { flags.append(duplicateText) }
    return flags
  }
}
