import Contracts
import Foundation

/// Default and maximum page sizes of the List RPCs.
public struct PageLimits: Sendable {
  /// The page size when a request sends 0.
  public var defaultSize: Int
  /// Larger requested sizes are clamped to this.
  public var maxSize: Int

  /// Creates the limits (50 by default, at most 500).
  public init(defaultSize: Int = 50, maxSize: Int = 500) {
    self.defaultSize = defaultSize
    self.maxSize = maxSize
  }

  /// The size `page` asks for, checked and clamped.
  public func size(of page: Crm_Common_V1_PageRequest) throws(ServiceError) -> Int {
    if page.pageSize < 0 {
      throw .invalidArgument(field: "page.page_size", reason: "must not be negative")
    }
    return page.pageSize == 0 ? defaultSize : min(Int(page.pageSize), maxSize)
  }
}

/// Where the next page of a listing starts: the listing it belongs to (so a token cannot be
/// replayed against another listing) and the last key served. Opaque to callers.
public struct PageCursor: Codable, Equatable, Sendable {
  /// The listing the token belongs to (its filters included).
  public var listing: String
  /// The last key served.
  public var after: String

  /// Decodes `page.page_token`; nil for the first page.
  public static func decode(_ page: Crm_Common_V1_PageRequest, listing: String) throws(ServiceError)
    -> String?
  {
    let token = page.pageToken
    if token.isEmpty { return nil }
    guard let data = Data(base64Encoded: token),
      let cursor = try? JSONDecoder().decode(PageCursor.self, from: data)
    else {
      throw .invalidArgument(field: "page.page_token", reason: "is not a token this service issued")
    }
    guard cursor.listing == listing else {
      throw .invalidArgument(field: "page.page_token", reason: "belongs to another listing")
    }
    return cursor.after
  }

  /// The token of the page after `after`, or empty when nothing follows (the last page).
  public static func token(listing: String, after: String?, hasMore: Bool) -> String {
    guard hasMore, let after,
      let data = try? JSONEncoder().encode(PageCursor(listing: listing, after: after))
    else { return "" }
    return data.base64EncodedString()
  }
}
