import ArgumentParser
import Contracts
import Foundation
import GRPCCore
import ServiceKit
import Trust

/// `crm-bench trust measure`: a product's first page of reviews in each order and filter, and
/// its summary, against a running trust-service filled by `crm-bench trust fill` with the same
/// counts. Products are drawn at random, one call in ten among the ten most reviewed.
struct TrustMeasureCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "measure", abstract: "Latency of review pages and summaries of a running trust-service.")

  @OptionGroup var bench: MeasureOptions

  @Option(help: "Reviews the store was filled with.")
  var reviews = 1_000_000

  @Option(help: "Products the store was filled with.")
  var products = 10_000

  @Option(help: "Customers the store was filled with.")
  var customers = 1_000_000

  @Option(help: "Seed of the random product and filter choices.")
  var seed: UInt64 = 7

  /// A first page at concurrency 1 is one index range plus at most a page of rows.
  static let pageTargetMilliseconds = 5.0
  /// A summary is two primary-key reads.
  static let summaryTargetMilliseconds = 2.0
  /// 32 callers share the machine's cores: a call waits for the ones ahead of it.
  static let concurrentTargetMilliseconds = 50.0

  func run() async throws {
    guard products > 0, bench.calls > 0 else { throw ValidationError("--products and --calls must be positive") }
    let volumes = TrustBulkFill.reviewVolumes(reviews: reviews, products: products, customers: customers)
    let products = self.products, seed = self.seed, calls = bench.calls
    let figures = try await withBenchClient(bench.addr) { grpc in
      let client = Crm_Trust_V1_TrustService.Client(wrapping: grpc)
      var figures = BenchFigures(service: "trust")
      try await Self.describeStore(client, volumes: volumes, into: &figures)

      /// The product of call `i`: one in ten among the ten largest, else any.
      @Sendable func product(_ i: Int) -> String {
        let draw = Self.draw(seed, i, 0)
        return BulkIDs.product(i % 10 == 0 ? Int(draw % UInt64(min(10, products))) : Int(draw % UInt64(products)))
      }
      @Sendable func sort(_ i: Int) -> Crm_Trust_V1_ReviewSort {
        [.newest, .rating, .helpful][Int(Self.draw(seed, i, 1) % 3)]
      }
      @Sendable func rating(_ i: Int) -> Int32 { Int32(1 + Self.draw(seed, i, 2) % 5) }

      let pages: [(String, @Sendable (Int) -> Crm_Trust_V1_ListReviewsRequest)] = [
        ("first page, newest", { i in .with { $0.productID = product(i); $0.sort = .newest } }),
        ("first page, by rating", { i in .with { $0.productID = product(i); $0.sort = .rating } }),
        ("first page, by helpfulness", { i in .with { $0.productID = product(i); $0.sort = .helpful } }),
        ("first page, one rating", { i in .with { $0.productID = product(i); $0.sort = sort(i); $0.rating = rating(i) } }),
        ("first page, verified", { i in .with { $0.productID = product(i); $0.sort = sort(i); $0.verifiedOnly = true } }),
        ("first page, with photos", { i in .with { $0.productID = product(i); $0.sort = sort(i); $0.withPhotosOnly = true } }),
        ("first page, rating+verified+photos", { i in
          .with {
            $0.productID = product(i); $0.sort = sort(i); $0.rating = rating(i); $0.verifiedOnly = true
            $0.withPhotosOnly = true
          }
        }),
        ("largest product, rating+verified+photos", { i in
          .with {
            $0.productID = BulkIDs.product(0); $0.sort = sort(i); $0.rating = rating(i); $0.verifiedOnly = true
            $0.withPhotosOnly = true
          }
        }),
      ]
      for (name, request) in pages {
        for concurrency in [1, 32] {
          let sample = await LatencySample.measure(count: calls, concurrency: concurrency) { i in
            _ = try await client.listReviews(request(i))
          }
          Self.record(sample, name: name, concurrency: concurrency, target: Self.pageTargetMilliseconds, into: &figures)
        }
      }
      for concurrency in [1, 32] {
        let sample = await LatencySample.measure(count: calls, concurrency: concurrency) { i in
          _ = try await client.getProductSummary(.with { $0.productID = product(i) })
        }
        Self.record(
          sample, name: "product summary", concurrency: concurrency, target: Self.summaryTargetMilliseconds,
          into: &figures)
      }
      return figures
    }
    try figures.emit(to: bench.out)
    let failures = figures.store["failed calls"] ?? 0
    if failures > 0 {
      throw ValidationError("\(failures) calls failed")
    }
  }

  /// What the store holds, read through the service: the largest and smallest products'
  /// summaries (checked against the fill's volumes) and the whole history's figures.
  static func describeStore(
    _ client: Crm_Trust_V1_TrustService.Client<some ClientTransport>, volumes: [Int], into figures: inout BenchFigures
  ) async throws {
    let largest = try await client.getProductSummary(.with { $0.productID = BulkIDs.product(0) }).summary
    let smallest = try await client.getProductSummary(.with { $0.productID = BulkIDs.product(volumes.count - 1) }).summary
    let page = try await client.listReviews(.with { $0.productID = BulkIDs.product(0) })
    guard largest.reviewCount > 0, largest.reviewCount <= volumes[0], page.reviews.count == 20 else {
      throw ValidationError(
        "\(BulkIDs.product(0)) has \(largest.reviewCount) published reviews and a first page of \(page.reviews.count); "
          + "was the store filled with --reviews \(volumes.reduce(0, +)) --products \(volumes.count)?")
    }
    let started = ContinuousClock.now
    let history = try await client.getTrustFigures(.with {
      $0.from = .init(date: Date(timeIntervalSince1970: 0))
      $0.to = .init(date: Date().addingTimeInterval(86_400))
    })
    let historySeconds = secondsSince(started)
    figures.store = [
      "products": volumes.count,
      "reviews": Int(history.reviewsSubmitted),
      "published reviews": Int(history.reviewsPublished),
      "published reviews of the largest product": Int(largest.reviewCount),
      "published reviews of the smallest product": Int(smallest.reviewCount),
      "failed calls": 0,
    ]
    figures.add("trust figures over the whole history (one call)", historySeconds * 1000, "ms")
  }

  static func record(
    _ sample: LatencySample, name: String, concurrency: Int, target: Double, into figures: inout BenchFigures
  ) {
    let limit = concurrency == 1 ? target : concurrentTargetMilliseconds
    figures.add("\(name), c=\(concurrency), p50", sample.p50Milliseconds, "ms")
    figures.add("\(name), c=\(concurrency), p99", sample.p99Milliseconds, "ms", under: limit)
    figures.add("\(name), c=\(concurrency), rate", sample.rate, "calls/s")
    figures.store["failed calls", default: 0] += sample.failures
  }

  /// A SplitMix64 value for call `i` and choice `slot`, so a run can be repeated.
  static func draw(_ seed: UInt64, _ i: Int, _ slot: UInt64) -> UInt64 {
    var random = SplitMix64(seed: seed &+ UInt64(i) &* 0x9E37_79B9_7F4A_7C15 &+ slot &* 0xD6E8_FEB8_6659_FD93)
    return random.next()
  }
}
