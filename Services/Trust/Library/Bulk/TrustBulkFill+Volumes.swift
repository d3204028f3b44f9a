import Foundation

extension TrustBulkFill {
  /// How steeply review volume falls from the most reviewed product: product n (0-based) gets
  /// a share proportional to (n + 1)^-0.8. At 1,000,000 reviews over 10,000 products the first
  /// has about 37,000, the tenth about 5,800, the hundredth 2,300 and the last about 20.
  public static let volumeExponent = 0.8

  /// Reviews per product number, summing exactly to `reviews`; product 0 has the most. No
  /// product gets more than `customers` (one review per customer per product), the excess
  /// going to the others in proportion.
  public static func reviewVolumes(reviews: Int, products: Int, customers: Int) -> [Int] {
    precondition(products > 0 && customers > 0 && reviews >= 0 && reviews <= products * customers)
    let weights = (0..<products).map { pow(Double($0 + 1), -volumeExponent) }
    var capped = [Bool](repeating: false, count: products)
    var shares = [Double](repeating: 0, count: products)
    while true {
      let cappedCount = capped.filter { $0 }.count
      let remaining = Double(reviews - cappedCount * customers)
      let weight = zip(weights, capped).reduce(0.0) { $0 + ($1.1 ? 0 : $1.0) }
      var newlyCapped = false
      for n in 0..<products {
        if capped[n] {
          shares[n] = Double(customers)
        } else {
          shares[n] = weight > 0 ? remaining * weights[n] / weight : 0
          if shares[n] > Double(customers) {
            capped[n] = true
            newlyCapped = true
          }
        }
      }
      if !newlyCapped { break }
    }
    // Whole reviews: floors, then the remainder one each to the largest fractions.
    var volumes = shares.map { Int($0.rounded(.down)) }
    let remainder = reviews - volumes.reduce(0, +)
    let byFraction = (0..<products)
      .filter { volumes[$0] < customers }
      .sorted { (shares[$0] - Double(volumes[$0]), $1) > (shares[$1] - Double(volumes[$1]), $0) }
    for n in byFraction.prefix(remainder) { volumes[n] += 1 }
    return volumes
  }
}
