import Contracts
import Foundation
import SwiftProtobuf

/// The largest messages the suite sends, filled as a busy store would fill them: every field
/// set, pages at 100 items, texts of realistic length.
enum ProtobufSamples {
  static let start = Date(timeIntervalSince1970: 1_735_689_600)  // 2025-01-01T00:00:00Z

  static func time(_ n: Int) -> Google_Protobuf_Timestamp {
    Google_Protobuf_Timestamp(date: start.addingTimeInterval(Double(n) * 3_617.25))
  }

  static func money(_ minor: Int64) -> Crm_Common_V1_Money {
    .with {
      $0.amountMinor = minor
      $0.currency = "CNY"
    }
  }

  /// A profile with all its figures, 3 identities, 6 tags and the tier's evidence.
  static func customer(_ n: Int) -> Crm_Segmentation_V1_Customer {
    .with {
      $0.customerID = String(format: "bulk-%07d", n)
      $0.type = n % 7 == 0 ? .enterprise : .individual
      $0.displayName = "Customer \(n) Zhang Wei Trading"
      $0.email = "customer\(n)@example.com"
      $0.phone = "+8613800\(String(format: "%06d", n % 1_000_000))"
      $0.sourceChannel = ["store", "app", "web", "referral"][n % 4]
      $0.accountManager = "am-\(n % 40)"
      $0.timeZone = "Asia/Shanghai"
      $0.tags = [
        "need:customisation", "vip", "newsletter", "big_spender", "app_regular", "region:east",
      ]
      $0.createTime = time(n)
      $0.updateTime = time(n + 9_000)
      $0.totalSpend = money(12_345_678 + Int64(n))
      $0.annualSpend = money(4_567_890 + Int64(n))
      $0.totalMargin = money(2_345_678)
      $0.purchasesLast3Months = 4
      $0.firstPurchaseTime = time(n + 100)
      $0.lastPurchaseTime = time(n + 8_000)
      $0.preferredCategories = ["electronics", "home-appliances", "outdoor"]
      $0.purchaseCount = 57
      $0.identities = [
        Crm_Segmentation_V1_IdentityChannel.storeCard, .appAccount, .phone,
      ].enumerated().map { index, channel in
        .with {
          $0.channel = channel
          $0.externalID = "ext-\(n)-\(index)-4f1c9a7e"
          $0.linkTime = time(n + index)
        }
      }
      $0.mergedCustomerIds = [String(format: "bulk-%07d", n + 500_000)]
      $0.tier = "high_value_active"
      $0.lifecycleStage = "active"
      $0.lastActivityTime = time(n + 8_500)
      $0.loyaltyTier = "gold"
      $0.tierRuleID = "default-high-value-active"
      $0.tierReason =
        "rule default-high-value-active (high_value_active): annual_spend=4567890 > 10000000; "
        + "activity_recency_days=12 <= 90; tags contains need:customisation"
      $0.rfmRecency = 5
      $0.rfmFrequency = 4
      $0.rfmMonetary = 5
      $0.lifetimeValue = money(2_345_678)
    }
  }

  /// `GetCustomer`: one profile.
  static let customerProfile = Crm_Segmentation_V1_GetCustomerResponse.with {
    $0.customer = customer(42)
  }

  /// `ListCustomers`: a page of 100 profiles.
  static let customerPage = Crm_Segmentation_V1_ListCustomersResponse.with {
    $0.customers = (0..<100).map(customer)
    $0.page.nextPageToken = "eyJhZnRlciI6ImJ1bGstMDAwMDEwMCJ9"
  }

  /// `ExportCustomer`: a profile with 2 years of history (120 orders of 3 lines, refunds,
  /// reported activities and profile changes).
  static let customerExport = Crm_Segmentation_V1_ExportCustomerResponse.with {
    $0.customer = customer(7)
    $0.purchases = (0..<120).map { n in
      .with {
        $0.orderID = "order-7-\(n)"
        $0.customerID = "bulk-0000007"
        $0.amount = money(Int64(10_000 + n * 137))
        $0.marginMinor = Int64(2_000 + n * 11)
        $0.purchaseTime = time(n * 140)
        $0.items = (0..<3).map { line in
          .with {
            $0.productID = String(format: "p-%05d", (n * 3 + line) % 5_000)
            $0.category = ["electronics", "home-appliances", "outdoor"][line]
            $0.quantity = Int32(1 + line)
            $0.amountMinor = Int64(3_000 + n * 40 + line)
          }
        }
        $0.channel = ["store", "app", "web"][n % 3]
        $0.refundedMinor = n % 10 == 0 ? 1_500 : 0
        $0.recordTime = time(n * 140 + 1)
      }
    }
    $0.refunds = (0..<12).map { n in
      .with {
        $0.refundID = "refund-7-\(n)"
        $0.orderID = "order-7-\(n * 10)"
        $0.amount = money(1_500)
        $0.recordTime = time(n * 1_400 + 30)
      }
    }
    $0.activities = (0..<60).map { n in
      .with {
        $0.activityID = "interaction-\(n)-9b2f"
        $0.kind = ["interaction", "ticket", "review"][n % 3]
        $0.activityTime = time(n * 280)
      }
    }
    $0.history = (0..<40).map { n in
      .with {
        $0.kind = n % 2 == 0 ? .lifecycleStage : .tier
        $0.changeTime = time(n * 420)
        $0.fromValue = n % 2 == 0 ? "active" : "potential"
        $0.toValue = n % 2 == 0 ? "dormant" : "high_value_active"
        $0.cause = ["purchase", "lifecycle_scan", "tier_rules", "activity:interaction"][n % 4]
      }
    }
  }

  /// `GetTierReport`: the mix of the 6 default tiers and every movement between them.
  static let tierReport = Crm_Segmentation_V1_GetTierReportResponse.with {
    let tiers = [
      "", "high_value_active", "dormant_high_value", "churn_risk", "high_value", "potential",
      "ordinary",
    ]
    $0.tierMix = tiers.dropFirst().enumerated().map { index, tier in
      .with {
        $0.tier = tier
        $0.customers = Int64(10_000 * (index + 1) + 37)
      }
    }
    $0.movements = tiers.flatMap { from in
      tiers.dropFirst().map { to in
        .with {
          $0.fromTier = from
          $0.toTier = to
          $0.customers = Int64(from.count * 1_000 + to.count * 17)
        }
      }
    }
  }

  /// `ListLedgerEntries`: a page of 100 entries.
  static let ledgerPage = Crm_Loyalty_V1_ListLedgerEntriesResponse.with {
    $0.entries = (0..<100).map { n in
      .with {
        $0.entryID = "0f6c2a9e-\(String(format: "%04d", n))-4b1d-9a3e-7c5d2e8f1a6b"
        $0.customerID = "bulk-0000042"
        $0.kind = ["earn", "earn", "earn", "redeem", "expire", "reverse"][n % 6]
        $0.points = n % 6 < 3 ? Int64(120 + n) : -Int64(50 + n)
        $0.reason = n % 6 < 3 ? "order order-42-\(n)" : "reward voucher-\(n)"
        $0.createTime = time(10_000 - n * 50)
      }
    }
    $0.page.nextPageToken = "eyJiZWZvcmUiOiIyMDI2LTAxLTAxIn0"
  }

  /// `ListReviews`: a page of 100 published reviews, each with a 400-character text, 3
  /// photos and a reply of the business.
  static let reviewPage = Crm_Trust_V1_ListReviewsResponse.with {
    let text = String(
      repeating: "Arrived quickly, well packed, and works exactly as described. ", count: 7)
    $0.reviews = (0..<100).map { n in
      .with {
        $0.reviewID = "review-\(n)-5e1b7c"
        $0.customerID = String(format: "bulk-%07d", n * 31)
        $0.productID = "p-00042"
        $0.rating = Int32(1 + n % 5)
        $0.title = "Good value for the price, would buy again"
        $0.text = text
        $0.orderID = "order-\(n * 31)-3"
        $0.status = .published
        $0.createTime = time(n * 90)
        $0.businessID = "shop-7"
        $0.photoRefs = (0..<3).map { "https://cdn.example.com/reviews/\(n)/photo-\($0).jpg" }
        $0.verified = n % 3 != 0
        $0.helpfulCount = Int64(n % 17)
        $0.updateTime = time(n * 90 + 5)
        $0.publishTime = time(n * 90 + 2)
        $0.replies = [
          .with {
            $0.replyID = "reply-\(n)"
            $0.author = "shop-7 support"
            $0.text = "Thank you for your review, we are glad the product suits you."
            $0.visibility = .public
            $0.createTime = time(n * 90 + 30)
          }
        ]
      }
    }
    $0.page.nextPageToken = "eyJvZmZzZXQiOjEwMH0"
  }
}
