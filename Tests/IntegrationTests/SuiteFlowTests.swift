import Contracts
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import ServiceKit
import ServiceKitTesting
import SwiftProtobuf
import Testing

/// The flows between the services (DOMAIN.md, "How the services work together"), each driven
/// through one service's RPCs and checked in the receiving service, with the five real
/// executables on loopback.
@Suite("Flows across the five services", .serialized, .timeLimit(.minutes(6)))
struct SuiteFlowTests {
  typealias Client = GRPCClient<HTTP2ClientTransport.Posix>

  @Test("every flow: purchase, refund, registration, dormancy, low review, resolved complaint, refund claim, loyalty tier, activity")
  func everyFlow() async throws {
    // Lifecycle windows of seconds (the settings take fractions of days), so a profile goes
    // dormant within the test: the rule itself is tested with a moved clock in SegmentationTests.
    let suite = try await SuiteProcesses.start(extraArguments: [
      "--lifecycle-new-days", "0.00001", "--lifecycle-dormant-days", "0.00004", "--lifecycle-churned-days", "1",
    ])
    do {
      try await Self.driveEveryFlow(suite)
    } catch {
      await suite.stopAll()
      throw error
    }
    await suite.stopAll()
  }

  @Test("every flow again with TLS everywhere, client certificates between the services and tokens for callers")
  func everyFlowWithTLSAndAuth() async throws {
    let suite = try await SuiteProcesses.start(
      extraArguments: [
        "--lifecycle-new-days", "0.00001", "--lifecycle-dormant-days", "0.00004", "--lifecycle-churned-days", "1",
      ],
      security: .mutualTLS)
    do {
      try await Self.driveEveryFlow(suite)
    } catch {
      await suite.stopAll()
      throw error
    }
    await suite.stopAll()
  }

  static func driveEveryFlow(_ suite: SuiteProcesses) async throws {
    let now = Date()
    // Registration -> welcome moment; purchase -> points and first-purchase moment; refund -> reversal.
    let buyer = try await createCustomer(suite, "Zhou Min")
    try await recordPurchase(suite, buyer, order: "flow-o1", amountMinor: 250_00, product: "p-phone", at: now)
    let buyerTasks = try await suite.withClient(.interaction) { client in
      try await eventually({ try await tasks(of: buyer, client) }) { tasks in
        Set(tasks.map(\.momentKind)).isSuperset(of: ["registration", "first_purchase"])
      }
    }
    #expect(Set(buyerTasks.map(\.momentKind)).isSuperset(of: ["registration", "first_purchase"]))
    let earned = try await suite.withClient(.loyalty) { client in
      try await eventually({ try await ledger(of: buyer, in: client) }) { $0.contains { $0.reason == "order flow-o1" } }
    }
    let earnedPoints = earned.filter { $0.reason == "order flow-o1" }.map(\.points).reduce(0, +)
    #expect(earnedPoints == 250)  // 1 point per currency unit by default
    _ = try await suite.withClient(.segmentation) { client in
      try await Crm_Segmentation_V1_SegmentationService.Client(wrapping: client).recordRefund(.with {
        $0.refund = .with {
          $0.refundID = "flow-r1"
          $0.orderID = "flow-o1"
          $0.amount = .with { $0.amountMinor = 250_00; $0.currency = "CNY" }
        }
      })
    }
    let afterRefund = try await suite.withClient(.loyalty) { client in
      try await eventually({ try await account(of: buyer, client) }) { $0.balance == 0 }
    }
    #expect(afterRefund.balance == 0)

    // No activity for longer than the dormant window (3.5 s here): the scan turns the stage
    // dormant -> churn-warning care in interaction and a come-back coupon in loyalty.
    let sleeper = try await createCustomer(suite, "Sun Jing")
    try await recordPurchase(suite, sleeper, order: "flow-o2", amountMinor: 80_00, product: "p-book", at: now)
    let stage = try await suite.withClient(.segmentation) { client in
      let segmentation = Crm_Segmentation_V1_SegmentationService.Client(wrapping: client)
      return try await eventually(timeout: .seconds(30), every: .milliseconds(500), {
        _ = try await segmentation.runLifecycleScan(.init())
        return try await segmentation.getCustomer(.with { $0.customerID = sleeper }).customer.lifecycleStage
      }) { $0 == "dormant" }
    }
    #expect(stage == "dormant")
    let churnCare = try await suite.withClient(.interaction) { client in
      try await eventually({ try await tasks(of: sleeper, client) }) { $0.contains { $0.momentKind == "churn_warning" } }
    }
    #expect(churnCare.contains { $0.momentKind == "churn_warning" })
    let coupons = try await suite.withClient(.loyalty) { client in
      try await eventually({
        try await Crm_Loyalty_V1_LoyaltyService.Client(wrapping: client).listCoupons(.with { $0.customerID = sleeper }).coupons
      }) { !$0.isEmpty }
    }
    #expect(coupons.count == 1)

    // A published 1-star review of something bought -> a complaint in feedback; resolving it ->
    // the complaint care plan in interaction; an approved refund claim -> points reversed.
    let critic = try await createCustomer(suite, "Wu Lei")
    try await recordPurchase(suite, critic, order: "flow-o3", amountMinor: 120_00, product: "p-kettle", at: now.addingTimeInterval(-86_400))
    let review = try await suite.withClient(.trust) { client in
      let trust = Crm_Trust_V1_TrustService.Client(wrapping: client)
      let review = try await trust.createReview(.with {
        $0.review = .with {
          $0.customerID = critic
          $0.productID = "p-kettle"
          $0.rating = 1
          $0.title = "Leaks"
          $0.text = "It leaked on the first day."
          $0.orderID = "flow-o3"
        }
        $0.idempotencyKey.key = "flow-review-1"
      }).review
      return try await trust.moderateReview(.with {
        $0.reviewID = review.reviewID
        $0.decision = .publish
        $0.idempotencyKey.key = "flow-moderate-1"
      }).review
    }
    #expect(review.verified)
    let complaint = try await suite.withClient(.feedback) { client in
      try await eventually({
        try await Crm_Feedback_V1_FeedbackService.Client(wrapping: client).listTickets(.with { $0.customerID = critic }).tickets
      }) { !$0.isEmpty }
    }.first
    #expect(complaint?.kind == .complaint)
    #expect(complaint?.channel == .review)
    try await suite.withClient(.feedback) { client in
      let feedback = Crm_Feedback_V1_FeedbackService.Client(wrapping: client)
      for status in [Crm_Feedback_V1_TicketStatus.acknowledged, .inProgress, .resolved] {
        _ = try await feedback.transitionTicket(.with {
          $0.ticketID = complaint?.ticketID ?? ""
          $0.targetStatus = status
          $0.actorID = "agent-1"
        })
      }
    }
    let complaintCare = try await suite.withClient(.interaction) { client in
      try await eventually({ try await tasks(of: critic, client) }) { $0.contains { $0.momentKind == "complaint_resolved" } }
    }
    #expect(complaintCare.filter { $0.momentKind == "complaint_resolved" }.count >= 3)  // 24 h call, 72 h survey, follow-ups

    let claimBefore = try await suite.withClient(.loyalty) { client in
      try await eventually({ try await account(of: critic, client) }) { $0.balance == 120 }
    }
    #expect(claimBefore.balance == 120)
    let claim = try await suite.withClient(.trust) { client in
      let trust = Crm_Trust_V1_TrustService.Client(wrapping: client)
      let filed = try await trust.fileClaim(.with {
        $0.customerID = critic
        $0.guaranteeID = "seven-day-return"
        $0.orderID = "flow-o3"
        $0.reason = "leaks"
        $0.idempotencyKey.key = "flow-claim-1"
      }).claim
      for (step, status) in [Crm_Trust_V1_ClaimStatus.underReview, .approved].enumerated() {
        _ = try await trust.advanceClaim(.with {
          $0.claimID = filed.claimID
          $0.status = status
          $0.idempotencyKey.key = "flow-claim-step-\(step)"
        })
      }
      return filed
    }
    #expect(!claim.claimID.isEmpty)
    let afterClaim = try await suite.withClient(.loyalty) { client in
      try await eventually({ try await account(of: critic, client) }) { $0.balance == 0 }
    }
    #expect(afterClaim.balance == 0)

    // Spend enough for gold -> loyalty tells segmentation.
    let bigSpender = try await createCustomer(suite, "Zhao Hua")
    try await recordPurchase(suite, bigSpender, order: "flow-o4", amountMinor: 6_000_00, product: "p-tv", at: now)
    let profile = try await suite.withClient(.segmentation) { client in
      try await eventually({
        try await Crm_Segmentation_V1_SegmentationService.Client(wrapping: client).getCustomer(.with { $0.customerID = bigSpender }).customer
      }) { $0.loyaltyTier == "gold" }
    }
    #expect(profile.loyaltyTier == "gold")

    // Activity in interaction, feedback and trust -> last activity of the profile.
    let talker = try await createCustomer(suite, "Xu Ping")
    let ticketer = try await createCustomer(suite, "Li Na")
    let reviewer = try await createCustomer(suite, "Yang Jun")
    _ = try await suite.withClient(.interaction) { client in
      try await Crm_Interaction_V1_InteractionService.Client(wrapping: client).logInteraction(.with {
        $0.interaction = .with { $0.customerID = talker; $0.type = "care_call"; $0.channel = .phone; $0.content = "hello"; $0.owner = "agent-2" }
        $0.idempotencyKey.key = "flow-touch-1"
      })
    }
    _ = try await suite.withClient(.feedback) { client in
      try await Crm_Feedback_V1_FeedbackService.Client(wrapping: client).createTicket(.with {
        $0.ticket = .with { $0.customerID = ticketer; $0.kind = .enquiry; $0.priority = .enquiry; $0.channel = .inApp; $0.category = "product/quality" }
        $0.idempotencyKey.key = "flow-ticket-1"
      })
    }
    _ = try await suite.withClient(.trust) { client in
      try await Crm_Trust_V1_TrustService.Client(wrapping: client).createReview(.with {
        $0.review = .with { $0.customerID = reviewer; $0.productID = "p-lamp"; $0.rating = 5; $0.title = "Nice"; $0.text = "Bright and warm." }
        $0.idempotencyKey.key = "flow-review-2"
      })
    }
    for customer in [talker, ticketer, reviewer] {
      let seen = try await suite.withClient(.segmentation) { client in
        try await eventually({
          try await Crm_Segmentation_V1_SegmentationService.Client(wrapping: client).getCustomer(.with { $0.customerID = customer }).customer
        }) { $0.hasLastActivityTime }
      }
      #expect(seen.hasLastActivityTime, "no activity reached segmentation for \(customer)")
    }

    // Nothing is stuck or rejected anywhere.
    for service in SuiteService.allCases {
      let destinations = try await suite.withClient(service) { client in
        try await Crm_Events_V1_Outbox.Client(wrapping: client).getOutboxStatus(.init()).destinations
      }
      for destination in destinations {
        #expect(destination.rejected == 0, "\(service) -> \(destination.destination): \(destination.lastError)")
      }
    }
  }

  // MARK: - Calls

  static func createCustomer(_ suite: SuiteProcesses, _ name: String) async throws -> String {
    try await suite.withClient(.segmentation) { client in
      try await Crm_Segmentation_V1_SegmentationService.Client(wrapping: client).createCustomer(.with {
        $0.customer = .with { $0.type = .individual; $0.displayName = name; $0.timeZone = "Asia/Shanghai" }
      }).customer.customerID
    }
  }

  static func recordPurchase(
    _ suite: SuiteProcesses, _ customerID: String, order: String, amountMinor: Int64, product: String, at time: Date
  ) async throws {
    _ = try await suite.withClient(.segmentation) { client in
      try await Crm_Segmentation_V1_SegmentationService.Client(wrapping: client).recordPurchase(.with {
        $0.purchase = purchase(customerID, order: order, amountMinor: amountMinor, product: product, at: time)
      })
    }
  }

  static func purchase(
    _ customerID: String, order: String, amountMinor: Int64, product: String, at time: Date
  ) -> Crm_Segmentation_V1_Purchase {
    .with {
      $0.orderID = order
      $0.customerID = customerID
      $0.amount = .with { $0.amountMinor = amountMinor; $0.currency = "CNY" }
      $0.marginMinor = amountMinor / 4
      $0.purchaseTime = Google_Protobuf_Timestamp(date: time)
      $0.channel = "app"
      $0.items = [.with { $0.productID = product; $0.category = "home"; $0.quantity = 1; $0.amountMinor = amountMinor }]
    }
  }

  static func tasks(of customerID: String, _ client: Client) async throws -> [Crm_Interaction_V1_CareTask] {
    try await Crm_Interaction_V1_InteractionService.Client(wrapping: client).listTasks(.with {
      $0.customerID = customerID
      $0.page.pageSize = 200
    }).tasks
  }

  static func account(of customerID: String, _ client: Client) async throws -> Crm_Loyalty_V1_Account {
    do {
      return try await Crm_Loyalty_V1_LoyaltyService.Client(wrapping: client).getAccount(.with { $0.customerID = customerID }).account
    } catch let error as RPCError where error.code == .notFound {
      return Crm_Loyalty_V1_Account()  // not yet created by its first event
    }
  }
}
