import Contracts
import Foundation
import ServiceKit

/// The reviews of one product: who writes them (distinct customers), how its ratings lean,
/// when, with what, and how each was moderated, voted on and answered.
struct ProductPlan {
  /// Rating shares 1...5 before a product's tilt: the J shape of real review sites.
  static let baseRatingShares = [0.10, 0.06, 0.10, 0.22, 0.52]
  static let verifiedShare = 0.75
  static let namesBusinessShare = 0.8
  static let rejectedShare = 0.02
  /// Reviews younger than this may still wait for a moderator.
  static let moderationBacklogMilliseconds: Int64 = 72 * 3_600_000
  static let pendingShareOfRecent = 0.7

  let fill: TrustBulkFill
  let product: Int
  let productID: String
  let businessID: String
  /// Cumulative rating shares after the product's tilt.
  let ratingThresholds: [Double]
  let customerStart: Int
  let customerStep: Int
  let asOf: Int64
  let span: Int64

  init(fill: TrustBulkFill, product: Int, random: inout SplitMix64) {
    self.fill = fill
    self.product = product
    productID = fill.productID(product)
    businessID = fill.businessID(product % fill.businesses)
    // Some products are better than others: shift weight toward 5 or 1 stars.
    let tilt = random.unit() * 2 - 1
    let weights = Self.baseRatingShares.enumerated().map { $1 * exp(0.6 * tilt * Double($0 - 2)) }
    let total = weights.reduce(0, +)
    var running = 0.0
    ratingThresholds = weights.map { running += $0 / total; return running }
    customerStart = random.below(fill.customers)
    customerStep = random.coprimeStep(modulus: fill.customers)
    asOf = Int64((fill.asOf.timeIntervalSince1970 * 1000).rounded(.down))
    span = Int64(fill.historyDays) * 86_400_000
  }

  /// The product's `index`th review (its reviewers are distinct for index below customers).
  func review(_ index: Int, random: inout SplitMix64) -> BulkReview {
    let customer = (customerStart + index * customerStep) % fill.customers
    let id = random.uuid()
    // Density grows linearly toward asOf: more reviews recently, as a shop grows.
    let createdAt = asOf - span + Int64(Double(span) * random.unit().squareRoot())
    let draw = random.unit()
    let rating = 1 + (ratingThresholds.firstIndex { draw < $0 } ?? 4)
    var review = BulkReview(
      id: id, customerID: fill.customerID(customer), productID: productID,
      businessID: random.chance(Self.namesBusinessShare) ? businessID : "",
      rating: rating, title: BulkReviewText.title(rating: rating, &random),
      text: BulkReviewText.body(rating: rating, &random), orderID: "o-\(product)-\(customer)",
      status: ReviewStatus.published, createdAt: createdAt, updatedAt: createdAt, publishedAt: nil,
      photoRefs: [], verified: random.chance(Self.verifiedShare), rejectionReason: "",
      curated: false, featured: false, votes: [], replies: [])
    let photoShare = rating >= 4 ? 0.18 : rating <= 2 ? 0.15 : 0.10
    if random.chance(photoShare) {
      review.photoRefs = (0...random.below(4)).map { "photos/\(id)/\($0 + 1).jpg" }
    }

    let recent = asOf - createdAt < Self.moderationBacklogMilliseconds
    if recent && random.chance(Self.pendingShareOfRecent) {
      review.status = ReviewStatus.pending
      if random.chance(0.1) { review.text += " " + BulkReviewText.offence(&random).text }
      return review
    }
    let moderatedAt = createdAt + min(Int64(1_800_000 + random.below(36 * 3_600_000)), (asOf - createdAt) / 2)
    review.updatedAt = moderatedAt
    if random.chance(Self.rejectedShare) {
      let offence = BulkReviewText.offence(&random)
      review.text += " " + offence.text
      review.status = ReviewStatus.rejected
      review.rejectionReason = offence.rejectionReason
      return review
    }
    review.publishedAt = moderatedAt
    if rating >= 4 && !review.photoRefs.isEmpty && random.chance(0.2) {
      review.curated = true
      review.featured = random.chance(0.25)
    }
    review.votes = votes(for: review, author: customer, random: &random)
    review.replies = replies(for: review, random: &random)
    return review
  }

  /// Most reviews get no vote, some a few, a few a great many.
  private func votes(for review: BulkReview, author: Int, random: inout SplitMix64) -> [BulkReview.Vote] {
    guard random.chance(0.3) else { return [] }
    var count = random.chance(0.02) ? 20 + random.below(280) : 1
    while count < 20 && random.chance(0.6) { count += 1 }
    count = min(count, fill.customers - 1)
    let start = random.below(fill.customers)
    let step = random.coprimeStep(modulus: fill.customers)
    let publishedAt = review.publishedAt ?? review.createdAt
    var votes: [BulkReview.Vote] = []
    votes.reserveCapacity(count)
    var i = 0
    while votes.count < count {
      let voter = (start + i * step) % fill.customers
      i += 1
      if voter == author { continue }
      let at = publishedAt + Int64(Double(asOf - publishedAt) * random.unit())
      votes.append(.init(customerID: fill.customerID(voter), at: at))
    }
    return votes
  }

  /// The business answers most low ratings and some others, now and then privately.
  private func replies(for review: BulkReview, random: inout SplitMix64) -> [BulkReview.Reply] {
    let publishedAt = review.publishedAt ?? review.createdAt
    let author = review.businessID.isEmpty ? "customer-care" : review.businessID
    var replies: [BulkReview.Reply] = []
    let visibilities: [(Crm_Trust_V1_ReplyVisibility, Double)] = [
      (.public, review.rating <= 2 ? 0.5 : 0.1), (.private, review.rating <= 2 ? 0.1 : 0.02),
    ]
    for (visibility, share) in visibilities where random.chance(share) {
      let at = publishedAt + min(Int64(600_000 + random.below(72 * 3_600_000)), (asOf - publishedAt) / 2)
      replies.append(.init(
        id: random.uuid(), author: author, text: BulkReviewText.reply(rating: review.rating, &random),
        visibility: visibility.rawValue, at: at))
    }
    return replies
  }
}
