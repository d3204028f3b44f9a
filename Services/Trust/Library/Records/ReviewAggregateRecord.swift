import Foundation
import GRDB

/// A row of `review_aggregate`: the published reviews of one product, one business, or all
/// of them (scope `all`, subject empty: the prior of the Bayesian average), summed up so a
/// summary never scans reviews.
struct ReviewAggregateRecord: Codable, Hashable, FetchableRecord, PersistableRecord {
  static let databaseTableName = "review_aggregate"

  /// `product`, `business` or `all`.
  var scope: String
  var subjectID: String
  var reviewCount: Int
  var ratingSum: Int
  var verifiedCount: Int
  var rating1: Int
  var rating2: Int
  var rating3: Int
  var rating4: Int
  var rating5: Int

  enum CodingKeys: String, CodingKey {
    case scope
    case subjectID = "subject_id"
    case reviewCount = "review_count"
    case ratingSum = "rating_sum"
    case verifiedCount = "verified_count"
    case rating1 = "rating_1"
    case rating2 = "rating_2"
    case rating3 = "rating_3"
    case rating4 = "rating_4"
    case rating5 = "rating_5"
  }

  static func empty(scope: String, subjectID: String) -> Self {
    Self(
      scope: scope, subjectID: subjectID, reviewCount: 0, ratingSum: 0, verifiedCount: 0,
      rating1: 0, rating2: 0, rating3: 0, rating4: 0, rating5: 0)
  }

  var distribution: [Int] { [rating1, rating2, rating3, rating4, rating5] }
}
