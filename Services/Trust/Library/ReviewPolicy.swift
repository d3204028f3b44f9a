import Foundation

/// The store's rules for reviews; every number is configuration with the default shown.
public struct ReviewPolicy: Sendable {
  /// Only reviews of a confirmed purchase are accepted (FAILED_PRECONDITION otherwise).
  public var verifiedOnly: Bool
  /// Photos per review.
  public var maxPhotos: Int
  /// Characters of one photo reference (a URL or a storage key, not the image).
  public var maxPhotoReferenceLength: Int
  /// How many reviews at the site-wide mean the Bayesian average pretends a product already
  /// has, so a product with two 5-star reviews does not outrank one with two hundred 4.8s.
  public var bayesianPriorWeight: Double
  /// A published review rated at or below this opens a complaint in feedback.
  public var complaintRatingThreshold: Int

  /// The defaults: any review accepted (verified ones marked), 9 photos of up to 512 characters,
  /// a prior worth 10 reviews,
  /// complaints for ratings of 2 and below.
  public init(
    verifiedOnly: Bool = false, maxPhotos: Int = 9, maxPhotoReferenceLength: Int = 512,
    bayesianPriorWeight: Double = 10, complaintRatingThreshold: Int = 2
  ) {
    self.complaintRatingThreshold = complaintRatingThreshold
    self.verifiedOnly = verifiedOnly
    self.maxPhotos = maxPhotos
    self.maxPhotoReferenceLength = maxPhotoReferenceLength
    self.bayesianPriorWeight = bayesianPriorWeight
  }
}
