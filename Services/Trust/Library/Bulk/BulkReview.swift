import Foundation

/// One generated review with what hangs off it, times in milliseconds since 1970.
struct BulkReview {
  struct Vote {
    var customerID: String
    var at: Int64
  }

  struct Reply {
    var id: String
    var author: String
    var text: String
    /// `Crm_Trust_V1_ReplyVisibility` raw value.
    var visibility: Int
    var at: Int64
  }

  var id: String
  var customerID: String
  var productID: String
  var businessID: String
  var rating: Int
  var title: String
  var text: String
  var orderID: String
  var status: Int
  var createdAt: Int64
  var updatedAt: Int64
  var publishedAt: Int64?
  var photoRefs: [String]
  var verified: Bool
  var rejectionReason: String
  var curated: Bool
  var featured: Bool
  var votes: [Vote]
  var replies: [Reply]
}
