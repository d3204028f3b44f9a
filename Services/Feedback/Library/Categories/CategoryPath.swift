import ServiceKit

/// The rules of a category path: "delivery/late", lower-case segments so that the same topic
/// cannot exist twice under different spellings, and a shallow tree so that picking stays a tap.
enum CategoryPath {
  static let maxDepth = 4
  static let maxSegmentLength = 32

  /// Checks `path`'s shape; throws INVALID_ARGUMENT naming `field`.
  static func validate(_ path: String, field: String) throws(ServiceError) {
    if path.isEmpty { throw .invalidArgument(field: field, reason: "is required") }
    let segments = path.split(separator: "/", omittingEmptySubsequences: false)
    guard segments.count <= maxDepth else {
      throw .invalidArgument(field: field, reason: "must have at most \(maxDepth) levels")
    }
    for segment in segments {
      guard (1...maxSegmentLength).contains(segment.count),
        segment.allSatisfy({
          ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_"
        })
      else {
        throw .invalidArgument(
          field: field,
          reason:
            "segments must be 1 to \(maxSegmentLength) characters of a-z, 0-9, '-' and '_', joined by '/'"
        )
      }
    }
  }

  /// The parent's path, or nil at the top of the tree.
  static func parent(of path: String) -> String? {
    guard let slash = path.lastIndex(of: "/") else { return nil }
    return String(path[..<slash])
  }

  /// The last segment, the default display name.
  static func leaf(of path: String) -> String {
    path.split(separator: "/").last.map(String.init) ?? path
  }
}
