import Contracts
import Foundation
import GRPCCore
import Logging
import Segmentation
import ServiceKit
import SwiftProtobuf

/// A segmentation service over an in-memory store that the service's own bulk fill filled
/// with 1,000 customers, and what the rule benchmarks read from it: the shipped default tier
/// rules (as a new store holds them) and every profile with its rule facts.
final class SegmentationFixture {
  static let customers = 1_000
  static let purchases = 6_000
  /// The moment the store describes: 2026-01-01T00:00:00Z.
  static let asOf = Date(timeIntervalSince1970: 1_767_225_600)

  private(set) var service: SegmentationService?
  private(set) var rules: [Crm_Segmentation_V1_TierRule] = []
  private(set) var profiles: [Crm_Segmentation_V1_Customer] = []
  private(set) var facts: [ProfileFacts] = []

  /// Fills the store once; later calls (one per benchmark's setup) find it ready.
  func prepare() async throws {
    guard service == nil else { return }
    let database = try StoreOpener.inMemory(migrator: SegmentationStore.migrator)
    let fill = SegmentationBulkFill(
      plan: .init(
        customers: Self.customers, purchases: Self.purchases, products: 500, asOf: Self.asOf,
        customerID: { String(format: "bulk-%07d", $0) },
        productID: { String(format: "p-%05d", $0) }))
    _ = try await fill.run(database: database)
    let service = SegmentationService(
      store: SegmentationStore(database: database), clock: ManualClock(start: Self.asOf),
      logger: Logger(label: "benchmark"))
    rules = try await service.listTierRules(
      request: .init(),
      context: DirectCall.context(
        Crm_Segmentation_V1_SegmentationService.Method.ListTierRules.descriptor)
    ).rules
    var token = ""
    repeat {
      let page = try await service.listCustomers(
        request: .with {
          $0.page.pageSize = 500
          $0.page.pageToken = token
        },
        context: DirectCall.context(
          Crm_Segmentation_V1_SegmentationService.Method.ListCustomers.descriptor))
      profiles += page.customers
      token = page.page.nextPageToken
    } while !token.isEmpty
    facts = profiles.map { Self.facts(of: $0, now: Self.asOf) }
    self.service = service
  }

  /// The attributes the rules compare, taken from a profile as the service returns it (the
  /// same values `ProfileFacts.read` takes from the store).
  static func facts(of profile: Crm_Segmentation_V1_Customer, now: Date) -> ProfileFacts {
    func days(since time: Google_Protobuf_Timestamp) -> Double {
      (now.timeIntervalSince(time.date) / 86_400).rounded(.down)
    }
    var numbers: [String: Double] = [
      "total_spend": Double(profile.totalSpend.amountMinor),
      "annual_spend": Double(profile.annualSpend.amountMinor),
      "total_margin": Double(profile.totalMargin.amountMinor),
      "purchase_count": Double(profile.purchaseCount),
      "purchases_last_3_months": Double(profile.purchasesLast3Months),
    ]
    if profile.hasLastPurchaseTime {
      numbers["recency_days"] = days(since: profile.lastPurchaseTime)
    }
    if profile.hasFirstPurchaseTime {
      numbers["days_since_first_purchase"] = days(since: profile.firstPurchaseTime)
    }
    if profile.rfmRecency > 0 {
      numbers["rfm_recency"] = Double(profile.rfmRecency)
      numbers["rfm_frequency"] = Double(profile.rfmFrequency)
      numbers["rfm_monetary"] = Double(profile.rfmMonetary)
    }
    numbers["activity_recency_days"] = days(
      since: profile.hasLastActivityTime ? profile.lastActivityTime : profile.createTime)
    let type =
      switch profile.type {
      case .individual: "individual"
      case .enterprise: "enterprise"
      default: ""
      }
    return ProfileFacts(
      numbers: numbers,
      texts: [
        "lifecycle_stage": profile.lifecycleStage, "type": type,
        "loyalty_tier": profile.loyaltyTier, "source_channel": profile.sourceChannel,
      ],
      tags: Set(profile.tags))
  }
}
