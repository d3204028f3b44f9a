import Contracts
import GRPCCore
import GRPCNIOTransportHTTP2
import ServiceKit

/// Each service's first RPC pair, so one test can drive all five executables alike.
enum ServiceRoundTrip {
  typealias Client = GRPCClient<HTTP2ClientTransport.Posix>

  /// Creates one record through the service's first write RPC and returns its id.
  static func create(_ service: SuiteService, _ client: Client) async throws -> String {
    switch service {
    case .segmentation:
      return try await Crm_Segmentation_V1_SegmentationService.Client(wrapping: client).createCustomer(
        .with {
          $0.customer.type = .enterprise
          $0.customer.displayName = "Acme Trading Co."
          $0.idempotencyKey.key = "create-1"
        }
      ).customer.customerID
    case .interaction:
      return try await Crm_Interaction_V1_InteractionService.Client(wrapping: client).logInteraction(
        .with {
          $0.interaction.customerID = "c1"
          $0.interaction.type = "greeting"
          $0.interaction.channel = .sms
          $0.idempotencyKey.key = "create-1"
        }
      ).interaction.interactionID
    case .feedback:
      return try await Crm_Feedback_V1_FeedbackService.Client(wrapping: client).createTicket(
        .with {
          $0.ticket.customerID = "c1"
          $0.ticket.kind = .complaint
          $0.ticket.priority = .urgent
          $0.ticket.channel = .phone
          $0.ticket.category = "service/late"
          $0.idempotencyKey.key = "create-1"
        }
      ).ticket.ticketID
    case .trust:
      return try await Crm_Trust_V1_TrustService.Client(wrapping: client).createReview(
        .with {
          $0.review.customerID = "c1"
          $0.review.productID = "p1"
          $0.review.rating = 5
          $0.review.text = "Great"
          $0.idempotencyKey.key = "create-1"
        }
      ).review.reviewID
    case .loyalty:
      _ = try await Crm_Loyalty_V1_LoyaltyService.Client(wrapping: client).earnPoints(
        .with {
          $0.customerID = "c1"
          $0.points = 120
          $0.reason = "order o-1"
          $0.idempotencyKey.key = "create-1"
        })
      return "c1"
    }
  }

  /// Reads the record back; returns a value that identifies its content.
  static func get(_ service: SuiteService, _ client: Client, id: String) async throws -> String {
    switch service {
    case .segmentation:
      return try await Crm_Segmentation_V1_SegmentationService.Client(wrapping: client)
        .getCustomer(.with { $0.customerID = id }).customer.displayName
    case .interaction:
      return try await Crm_Interaction_V1_InteractionService.Client(wrapping: client)
        .getInteraction(.with { $0.interactionID = id }).interaction.type
    case .feedback:
      return try await Crm_Feedback_V1_FeedbackService.Client(wrapping: client)
        .getTicket(.with { $0.ticketID = id }).ticket.category
    case .trust:
      return try await Crm_Trust_V1_TrustService.Client(wrapping: client)
        .getReview(.with { $0.reviewID = id }).review.text
    case .loyalty:
      return "\(try await Crm_Loyalty_V1_LoyaltyService.Client(wrapping: client).getAccount(.with { $0.customerID = id }).account.balance)"
    }
  }

  static let expected: [SuiteService: String] = [
    .segmentation: "Acme Trading Co.", .interaction: "greeting", .feedback: "service/late", .trust: "Great", .loyalty: "120",
  ]
}
