import Foundation
import ServiceKit

/// Titles, texts and replies for bulk reviews: sentences chosen by rating with numbers in
/// them, so that texts read like reviews and almost never repeat (a repeat is flagged as a
/// duplicate, as the service's pre-check would).
enum BulkReviewText {
  static func title(rating: Int, _ random: inout SplitMix64) -> String {
    random.pick(titles[rating - 1])
  }

  static func body(rating: Int, _ random: inout SplitMix64) -> String {
    let opening = random.pick(openings[rating - 1])
    let first = aspect(rating: rating, &random)
    var second = aspect(rating: rating, &random)
    if second == first { second = aspect(rating: rating, &random) }
    let closing = random.pick(closings[rating - 1])
    return "\(opening) \(first) \(second) Used it for \(1 + random.below(52)) weeks. \(closing)"
  }

  /// What a rejected or flagged review adds: a link to another shop or abuse.
  static func offence(_ random: inout SplitMix64) -> (text: String, rejectionReason: String) {
    random.chance(0.5)
      ? ("Cheaper at www.deal-outlet\(random.below(90)).example, go there.", "Links to another shop are not allowed.")
      : ("Whoever sells this is running a scam.", "Abusive language.")
  }

  static func reply(rating: Int, _ random: inout SplitMix64) -> String {
    rating <= 2
      ? random.pick([
        "We are sorry to hear this. Our service team will contact you within 24 hours.",
        "Thank you for telling us. Please reply to your order message and we will replace it.",
        "Sorry about this. A refund or replacement is on its way under our guarantee.",
      ])
      : random.pick([
        "Thank you for your kind words!",
        "Glad it works well for you. Enjoy!",
        "Thanks for taking the time to write this review.",
      ])
  }

  private static func aspect(rating: Int, _ random: inout SplitMix64) -> String {
    let number = 2 + random.below(29)
    let good = rating >= 4 || (rating == 3 && random.chance(0.5))
    let template = random.pick(good ? goodAspects : badAspects)
    return template.replacingOccurrences(of: "#", with: String(number))
  }

  private static let titles: [[String]] = [
    ["Very disappointed", "Do not buy", "Broke quickly", "Not as described", "Waste of money"],
    ["Below expectations", "Not great", "Could be much better", "Had problems", "Meh"],
    ["It is okay", "Average", "Does the job", "Mixed feelings", "Fair for the price"],
    ["Good product", "Happy with it", "Works well", "Solid choice", "Pretty good"],
    ["Excellent!", "Love it", "Exactly what I wanted", "Highly recommended", "Best purchase this year"],
  ]

  private static let openings: [[String]] = [
    ["Really unhappy with this.", "This was a bad buy.", "I regret ordering this.", "Terrible experience."],
    ["Not what I hoped for.", "Somewhat disappointing.", "It has issues.", "I expected more."],
    ["It is fine overall.", "Neither great nor bad.", "Decent, with some flaws.", "Okay for everyday use."],
    ["Quite satisfied.", "Good value.", "Does what it promises.", "Pleased with this purchase."],
    ["Absolutely love it.", "Outstanding quality.", "Better than expected.", "Fantastic product."],
  ]

  private static let closings: [[String]] = [
    ["Returning it.", "Would not recommend.", "Stay away.", "Asked for a refund."],
    ["Probably will not buy again.", "Hope the next version is better.", "Not worth the price.", "Think twice."],
    ["Might buy again on sale.", "Acceptable.", "You get what you pay for.", "Fine for the price."],
    ["Would buy again.", "Recommended.", "Happy overall.", "Good purchase."],
    ["Will buy again for sure.", "Five stars.", "Telling all my friends.", "Worth every cent."],
  ]

  private static let goodAspects: [String] = [
    "Arrived in # hours, well packed.", "The battery lasts about # hours.", "Setup took # minutes.",
    "Feels solid after # days.", "I compared # similar products and this is the best.",
    "Customer service answered in # minutes.", "Bought # of them as gifts.", "Still like new after # washes.",
    "Saved me # minutes every morning.", "Quieter than the last # I owned.", "The colour matches the # photos.",
    "Fits perfectly, size # as usual.", "Holds up to # kg without trouble.", "Charges in # minutes.",
    "My # year old uses it every day.", "Cheaper than # other shops I checked.",
  ]

  private static let badAspects: [String] = [
    "Took # days to arrive.", "The battery barely lasts # hours.", "Stopped working after # days.",
    "Support did not answer for # days.", "Smaller than the # cm in the description.",
    "It is # degrees warmer than it should be.", "Had to return # of them.", "Instructions missing # pages.",
    "The strap tore after # uses.", "Louder than the # others I tried.", "Colour faded after # washes.",
    "Needed # tries to pair it.", "The box was dented in # places.", "Lost # minutes every day with it.",
  ]
}
