import Foundation
import GRDB

/// A row of `review`: one customer's review of one product.
struct ReviewRecord: Codable, Hashable, FetchableRecord, PersistableRecord {
  static let databaseTableName = "review"

  var id: String
  var customerID: String
  var productID: String
  var rating: Int
  var title: String
  var text: String
  var orderID: String
  /// `Crm_Trust_V1_ReviewStatus` raw value.
  var status: Int
  var createdAt: Date
  /// The business reviewed along with the product; empty when none.
  var businessID: String = ""
  /// Photo references, newline-separated (a reference never holds a newline).
  var photoRefs: String = ""
  var photoCount: Int = 0
  var verified: Bool = false
  /// Pre-check findings, comma-separated; empty when clean.
  var precheckFlags: String = ""
  var rejectionReason: String = ""
  var curated: Bool = false
  var featured: Bool = false
  var helpfulCount: Int = 0
  /// Fingerprint of the normalised text, for the duplicate check.
  var textHash: String = ""
  var updatedAt: Date? = nil
  var publishedAt: Date? = nil

  enum CodingKeys: String, CodingKey {
    case id, rating, title, text, status, verified, curated, featured
    case customerID = "customer_id"
    case productID = "product_id"
    case orderID = "order_id"
    case createdAt = "created_at"
    case businessID = "business_id"
    case photoRefs = "photo_refs"
    case photoCount = "photo_count"
    case precheckFlags = "precheck_flags"
    case rejectionReason = "rejection_reason"
    case helpfulCount = "helpful_count"
    case textHash = "text_hash"
    case updatedAt = "updated_at"
    case publishedAt = "published_at"
  }

  enum Columns {
    static let customerID = Column(CodingKeys.customerID)
    static let productID = Column(CodingKeys.productID)
    static let status = Column(CodingKeys.status)
    static let textHash = Column(CodingKeys.textHash)
    static let createdAt = Column(CodingKeys.createdAt)
  }

  var isPublished: Bool { status == ReviewStatus.published }

  var photoList: [String] { photoRefs.isEmpty ? [] : photoRefs.components(separatedBy: "\n") }
}

/// `Crm_Trust_V1_ReviewStatus` raw values as stored (also used in index predicates).
enum ReviewStatus {
  static let pending = 1
  static let published = 2
  static let rejected = 3
}
