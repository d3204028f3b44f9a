import Contracts
import Foundation
import GRDB
import ServiceKit
import SwiftProtobuf

/// Reads the replies of reviews, oldest first; the public listing never sees private ones.
enum ReviewReplies {
  static func of(_ db: Database, reviewIDs: [String], includePrivate: Bool) throws -> [String: [Crm_Trust_V1_ReviewReply]] {
    guard !reviewIDs.isEmpty else { return [:] }
    var request = ReviewReplyRecord.filter(reviewIDs.contains(Column("review_id")))
    if !includePrivate {
      request = request.filter(Column("visibility") == Crm_Trust_V1_ReplyVisibility.public.rawValue)
    }
    let records = try request.order(Column("created_at"), Column("id")).fetchAll(db)
    return Dictionary(grouping: records, by: \.reviewID).mapValues { $0.map(\.message) }
  }
}

extension ReviewReplyRecord {
  var message: Crm_Trust_V1_ReviewReply {
    .with {
      $0.replyID = id
      $0.author = author
      $0.text = text
      $0.visibility = Crm_Trust_V1_ReplyVisibility(rawValue: visibility) ?? .unspecified
      $0.createTime = Google_Protobuf_Timestamp(storeDate: createdAt)
    }
  }
}
