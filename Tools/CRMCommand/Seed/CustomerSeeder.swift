import Contracts
import Foundation
import GRPCCore
import ServiceKit
import SwiftProtobuf

/// What one customer's seeding wrote.
struct SeedCounts: Sendable {
  var customers = 0, purchases = 0, interactions = 0, tickets = 0, reviews = 0, calls = 0

  static func + (a: SeedCounts, b: SeedCounts) -> SeedCounts {
    SeedCounts(
      customers: a.customers + b.customers, purchases: a.purchases + b.purchases,
      interactions: a.interactions + b.interactions, tickets: a.tickets + b.tickets,
      reviews: a.reviews + b.reviews, calls: a.calls + b.calls)
  }
}

/// Makes customer number `index` of a seeded run, the same way every time.
struct CustomerSeeder: Sendable {
  let seed: UInt64
  let now: Date
  private let options: CallOptions = {
    var options = CallOptions.defaults
    options.timeout = .seconds(30)
    return options
  }()

  init(seed: UInt64, now: Date) {
    self.seed = seed
    self.now = now
  }

  private func key(_ parts: Any...) -> Crm_Common_V1_IdempotencyKey {
    .with { $0.key = "seed-\(seed)-" + parts.map { "\($0)" }.joined(separator: "-") }
  }

  /// What every customer needs first: the feedback categories.
  func prepare(_ clients: SuiteClients) async throws {
    for path in SeedCatalog.ticketCategories {
      do {
        _ = try await clients.feedback.createCategory(
          .with {
            $0.category.path = path
            $0.idempotencyKey = key("category", path)
          }, options: options)
      } catch let error as RPCError where error.code == .alreadyExists {
        // Made by an earlier run or by the operator: the tree is what we need either way.
      }
    }
  }

  func seedCustomer(_ index: Int, clients: SuiteClients) async throws -> SeedCounts {
    var random = SplitMix64(seed: seed, customer: UInt64(index))
    var counts = SeedCounts(customers: 1)
    let enterprise = random.chance(0.1)
    let name =
      enterprise
      ? "\(random.pick(SeedCatalog.companies)) \(index)"
      : "\(random.pick(SeedCatalog.familyNames)) \(random.pick(SeedCatalog.givenNames))"
    let digits = String(format: "%08d", index % 100_000_000)
    let customer = try await clients.segmentation.createCustomer(
      .with {
        $0.customer = .with {
          $0.type = enterprise ? .enterprise : .individual
          $0.displayName = name
          $0.email = "customer\(index)@example.com"
          $0.phone = "+86139\(digits)"
          $0.sourceChannel = random.pick(SeedCatalog.sourceChannels)
          $0.timeZone = random.pick(SeedCatalog.timeZones)
        }
        $0.idempotencyKey = key("customer", index)
      }, options: options
    ).customer
    let customerID = customer.customerID
    _ = try await clients.segmentation.linkIdentity(
      .with {
        $0.customerID = customerID
        $0.identity = .with {
          $0.channel = .appAccount
          $0.externalID = "app-\(seed)-\(index)"
        }
      }, options: options)
    counts.calls += 2

    // Purchases: most customers buy a few times, a few buy often; spread over two years.
    let purchaseCount = min(40, Int(-log(1 - Double.random(in: 0..<1, using: &random)) * 5))
    let twoYears: TimeInterval = 2 * 365 * 86_400
    let times = (0..<purchaseCount).map { _ in now.addingTimeInterval(-Double.random(in: 3_600..<twoYears, using: &random)) }.sorted()
    var bought: [String] = []
    for (number, time) in times.enumerated() {
      let lines = Int.random(in: 1...3, using: &random)
      let items: [Crm_Segmentation_V1_PurchaseItem] = (0..<lines).map { _ in
        let product = SeedCatalog.product(Int.random(in: 1...SeedCatalog.productCount, using: &random))
        let range = SeedCatalog.productCategories.first { $0.name == product.category }!
        let quantity = Int32.random(in: 1...2, using: &random)
        bought.append(product.id)
        return .with {
          $0.productID = product.id
          $0.category = product.category
          $0.quantity = quantity
          $0.amountMinor = Int64.random(in: range.minPrice...range.maxPrice, using: &random) / 100 * 100 * Int64(quantity)
        }
      }
      let amount = items.reduce(0) { $0 + $1.amountMinor }
      _ = try await clients.segmentation.recordPurchase(
        .with {
          $0.purchase = .with {
            $0.orderID = "seed-\(seed)-order-\(index)-\(number)"
            $0.customerID = customerID
            $0.amount = .with {
              $0.amountMinor = amount
              $0.currency = "CNY"
            }
            $0.marginMinor = amount / 4
            $0.purchaseTime = Google_Protobuf_Timestamp(date: time)
            $0.items = items
            $0.channel = random.pick(SeedCatalog.salesChannels)
          }
        }, options: options)
      counts.purchases += 1
      counts.calls += 1
    }

    // Interactions over the same two years.
    for number in 0..<Int.random(in: 0...4, using: &random) {
      let time = now.addingTimeInterval(-Double.random(in: 3_600..<twoYears, using: &random))
      _ = try await clients.interaction.logInteraction(
        .with {
          $0.interaction = .with {
            $0.customerID = customerID
            $0.type = random.pick(SeedCatalog.interactionTypes)
            $0.channel = random.pick([.sms, .phone, .email, .appPush, .messaging])
            $0.content = "seeded touch \(number)"
            $0.owner = "agent-\(Int.random(in: 1...20, using: &random))"
            $0.actualTime = Google_Protobuf_Timestamp(date: time)
            $0.mood = random.pick([.satisfied, .satisfied, .neutral, .unhappy])
            $0.score = Int32.random(in: 1...5, using: &random)
          }
          $0.idempotencyKey = key("interaction", index, number)
        }, options: options)
      counts.interactions += 1
      counts.calls += 1
    }

    if random.chance(0.2) {
      let complaint = random.chance(0.4)
      _ = try await clients.feedback.createTicket(
        .with {
          $0.ticket = .with {
            $0.customerID = customerID
            $0.kind = complaint ? .complaint : random.pick([.feedback, .enquiry])
            $0.priority = complaint ? .urgent : random.pick([.normal, .enquiry])
            $0.channel = random.pick([.inApp, .agent, .email, .phone])
            $0.category = random.pick(SeedCatalog.ticketCategories.filter { $0.contains("/") })
            $0.text = "seeded ticket"
          }
          $0.idempotencyKey = key("ticket", index)
        }, options: options)
      counts.tickets += 1
      counts.calls += 1
    }

    if let product = bought.first, random.chance(0.3) {
      let (rating, title, text) = random.pick(SeedCatalog.reviewTexts)
      let review = try await clients.trust.createReview(
        .with {
          $0.review = .with {
            $0.customerID = customerID
            $0.productID = product
            $0.rating = Int32(rating)
            $0.title = title
            $0.text = text
          }
          $0.idempotencyKey = key("review", index)
        }, options: options
      ).review
      counts.reviews += 1
      counts.calls += 1
      // A moderator publishes most reviews (only published ones count and show); the rest
      // stay in the moderation queue, as in a live store.
      if random.chance(0.9) {
        _ = try await clients.trust.moderateReview(
          .with {
            $0.reviewID = review.reviewID
            $0.decision = .publish
            $0.idempotencyKey = key("moderation", index)
          }, options: options)
        counts.calls += 1
      }
    }
    return counts
  }
}
