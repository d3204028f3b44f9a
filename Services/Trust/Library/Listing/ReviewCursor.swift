import Foundation
import ServiceKit

/// Where a page of reviews ended, as an opaque token: the sort key of the last review (rating
/// or helpful count; unused for newest), its stored creation time text and its id.
struct ReviewCursor: Codable {
  /// Which listing and order issued it, so a token is not replayed against another.
  var listing: String
  var key: Int
  var createdAt: String
  var reviewID: String

  init(listing: String, key: Int, createdAt: String, reviewID: String) {
    self.listing = listing
    self.key = key
    self.createdAt = createdAt
    self.reviewID = reviewID
  }

  init(token: String, listing: String) throws(ServiceError) {
    guard let data = Data(base64Encoded: token),
      let cursor = try? JSONDecoder().decode(Self.self, from: data), cursor.listing == listing
    else {
      throw .invalidArgument(field: "page.page_token", reason: "is not a token this listing returned")
    }
    self = cursor
  }

  func token() throws -> String {
    try JSONEncoder().encode(self).base64EncodedString()
  }
}
