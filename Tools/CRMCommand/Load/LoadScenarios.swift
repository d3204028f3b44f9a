import Contracts
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import ServiceKit
import SwiftProtobuf
import Synchronization

/// The built-in scenarios, one or more per target. Each setup writes a fixed working set (ids
/// derived from the run id, so runs never collide) that the operations then read and extend.
enum LoadScenarios {
  static let workingSet = 1_000

  static func scenarios(runID: String, segmentationAddress: PeerAddress, security: ClientSecurity) -> [String: LoadScenario] {
    let list = [
      echo(), segmentation(runID), loyalty(runID),
      interaction(runID, segmentation: segmentationAddress, security: security), feedback(runID),
      trust(runID),
    ]
    return Dictionary(uniqueKeysWithValues: list.map { ($0.name, $0) })
  }

  /// The default scenario of each target.
  static let defaults = ["echo": "echo", "segmentation": "segmentation", "loyalty": "loyalty",
                         "interaction": "interaction", "feedback": "feedback", "trust": "trust"]

  static func echo() -> LoadScenario {
    let payload = Data(repeating: 0x2A, count: 64)
    return LoadScenario(name: "echo", summary: "Echo of 64 bytes (the baseline)", setup: { _ in }, operations: [
      LoadOperation(name: "echo", weight: 1) { client, _, options in
        _ = try await Crm_Bench_V1_EchoService.Client(wrapping: client).echo(.with { $0.payload = payload }, options: options)
      }
    ])
  }

  static func segmentation(_ runID: String) -> LoadScenario {
    let ids = IDs()
    return LoadScenario(
      name: "segmentation", summary: "get-customer 45%, resolve-identity 45%, record-purchase 10%",
      setup: { client in
        let service = Crm_Segmentation_V1_SegmentationService.Client(wrapping: client)
        for n in 0..<workingSet {
          let customer = try await service.createCustomer(.with {
            $0.customer = .with { $0.type = .individual; $0.displayName = "Load \(n)" }
            $0.idempotencyKey.key = "load-\(runID)-c-\(n)"
          }).customer
          _ = try await service.linkIdentity(.with {
            $0.customerID = customer.customerID
            $0.identity = .with { $0.channel = .appAccount; $0.externalID = "load-\(runID)-\(n)" }
          })
          ids.append(customer.customerID)
        }
      },
      operations: [
        LoadOperation(name: "get", weight: 45) { client, sequence, options in
          _ = try await Crm_Segmentation_V1_SegmentationService.Client(wrapping: client)
            .getCustomer(.with { $0.customerID = ids[sequence] }, options: options)
        },
        LoadOperation(name: "resolve", weight: 45) { client, sequence, options in
          _ = try await Crm_Segmentation_V1_SegmentationService.Client(wrapping: client).resolveIdentity(.with {
            $0.identity = .with { $0.channel = .appAccount; $0.externalID = "load-\(runID)-\(sequence % workingSet)" }
          }, options: options)
        },
        LoadOperation(name: "record-purchase", weight: 10) { client, sequence, options in
          _ = try await Crm_Segmentation_V1_SegmentationService.Client(wrapping: client).recordPurchase(.with {
            $0.purchase = .with {
              $0.orderID = "load-\(runID)-o-\(sequence)"
              $0.customerID = ids[sequence]
              $0.amount = .with { $0.amountMinor = 12_900; $0.currency = "CNY" }
              $0.marginMinor = 3_000
              $0.purchaseTime = Google_Protobuf_Timestamp(date: Date())
              $0.channel = "app"
              $0.items = [.with { $0.productID = "p-\(sequence % 500)"; $0.category = "books"; $0.quantity = 1; $0.amountMinor = 12_900 }]
            }
          }, options: options)
        },
      ])
  }

  static func loyalty(_ runID: String) -> LoadScenario {
    LoadScenario(
      name: "loyalty", summary: "get-account 60%, earn 30%, redeem 10%",
      setup: { client in
        let service = Crm_Loyalty_V1_LoyaltyService.Client(wrapping: client)
        for n in 0..<workingSet {
          _ = try await service.earnPoints(.with {
            $0.customerID = "load-\(runID)-\(n)"
            $0.points = 1_000_000
            $0.reason = "load setup"
            $0.idempotencyKey.key = "load-\(runID)-setup-\(n)"
          })
        }
      },
      operations: [
        LoadOperation(name: "balance", weight: 60) { client, sequence, options in
          _ = try await Crm_Loyalty_V1_LoyaltyService.Client(wrapping: client)
            .getAccount(.with { $0.customerID = "load-\(runID)-\(sequence % workingSet)" }, options: options)
        },
        LoadOperation(name: "earn", weight: 30) { client, sequence, options in
          _ = try await Crm_Loyalty_V1_LoyaltyService.Client(wrapping: client).earnPoints(.with {
            $0.customerID = "load-\(runID)-\(sequence % workingSet)"
            $0.points = 10
            $0.reason = "load"
            $0.idempotencyKey.key = "load-\(runID)-e-\(sequence)"
          }, options: options)
        },
        LoadOperation(name: "redeem", weight: 10) { client, sequence, options in
          _ = try await Crm_Loyalty_V1_LoyaltyService.Client(wrapping: client).redeemPoints(.with {
            $0.customerID = "load-\(runID)-\(sequence % workingSet)"
            $0.points = 1
            $0.reason = "load"
            $0.idempotencyKey.key = "load-\(runID)-r-\(sequence)"
          }, options: options)
        },
      ])
  }

  /// Interaction checks each customer with segmentation, so the setup creates them there.
  static func interaction(_ runID: String, segmentation: PeerAddress, security: ClientSecurity) -> LoadScenario {
    let ids = IDs()
    return LoadScenario(
      name: "interaction", summary: "log-interaction 50%, timeline 50% (customers created in segmentation first)",
      setup: { _ in
        try await security.withClient(to: segmentation) { client in
          let service = Crm_Segmentation_V1_SegmentationService.Client(wrapping: client)
          for n in 0..<workingSet {
            let customer = try await service.createCustomer(.with {
              $0.customer = .with { $0.type = .individual; $0.displayName = "Load \(n)" }
              $0.idempotencyKey.key = "load-\(runID)-ic-\(n)"
            }).customer
            ids.append(customer.customerID)
          }
        }
      },
      operations: [
        LoadOperation(name: "log", weight: 50) { client, sequence, options in
          _ = try await Crm_Interaction_V1_InteractionService.Client(wrapping: client).logInteraction(.with {
            $0.interaction = .with {
              $0.customerID = ids[sequence]
              $0.type = "care_call"
              $0.channel = .phone
              $0.content = "load"
              $0.owner = "agent-\(sequence % 20)"
            }
            $0.idempotencyKey.key = "load-\(runID)-i-\(sequence)"
          }, options: options)
        },
        LoadOperation(name: "timeline", weight: 50) { client, sequence, options in
          _ = try await Crm_Interaction_V1_InteractionService.Client(wrapping: client).listTimeline(.with {
            $0.customerID = ids[sequence]
            $0.page.pageSize = 20
          }, options: options)
        },
      ])
  }

  static func feedback(_ runID: String) -> LoadScenario {
    let tickets = IDs()
    return LoadScenario(
      name: "feedback", summary: "create-ticket 40%, get-ticket 40%, history 20%",
      setup: { client in
        let service = Crm_Feedback_V1_FeedbackService.Client(wrapping: client)
        do {
          _ = try await service.createCategory(.with { $0.category.path = "load"; $0.idempotencyKey.key = "load-category" })
        } catch let error as RPCError where error.code == .alreadyExists {}
        for n in 0..<workingSet {
          let ticket = try await service.createTicket(.with {
            $0.ticket = .with { $0.customerID = "load-\(runID)-\(n)"; $0.kind = .feedback; $0.priority = .normal; $0.channel = .inApp; $0.category = "load" }
            $0.idempotencyKey.key = "load-\(runID)-t-\(n)"
          }).ticket
          tickets.append(ticket.ticketID)
        }
      },
      operations: [
        LoadOperation(name: "create", weight: 40) { client, sequence, options in
          _ = try await Crm_Feedback_V1_FeedbackService.Client(wrapping: client).createTicket(.with {
            $0.ticket = .with { $0.customerID = "load-\(runID)-\(sequence % workingSet)"; $0.kind = .feedback; $0.priority = .normal; $0.channel = .inApp; $0.category = "load" }
            $0.idempotencyKey.key = "load-\(runID)-tc-\(sequence)"
          }, options: options)
        },
        LoadOperation(name: "get", weight: 40) { client, sequence, options in
          _ = try await Crm_Feedback_V1_FeedbackService.Client(wrapping: client).getTicket(.with { $0.ticketID = tickets[sequence] }, options: options)
        },
        LoadOperation(name: "history", weight: 20) { client, sequence, options in
          _ = try await Crm_Feedback_V1_FeedbackService.Client(wrapping: client).getTicketHistory(.with { $0.ticketID = tickets[sequence] }, options: options)
        },
      ])
  }

  static func trust(_ runID: String) -> LoadScenario {
    LoadScenario(
      name: "trust", summary: "create-review 20%, list-reviews 40%, product-summary 40%",
      setup: { _ in },
      operations: [
        LoadOperation(name: "submit", weight: 20) { client, sequence, options in
          _ = try await Crm_Trust_V1_TrustService.Client(wrapping: client).createReview(.with {
            $0.review = .with {
              $0.customerID = "load-\(runID)-\(sequence)"
              $0.productID = "p-\(sequence % 100)"
              $0.rating = Int32(sequence % 5 + 1)
              $0.title = "load"
              $0.text = "load test review \(sequence)"
            }
            $0.idempotencyKey.key = "load-\(runID)-rv-\(sequence)"
          }, options: options)
        },
        LoadOperation(name: "list", weight: 40) { client, sequence, options in
          _ = try await Crm_Trust_V1_TrustService.Client(wrapping: client)
            .listReviews(.with { $0.productID = "p-\(sequence % 100)"; $0.page.pageSize = 20 }, options: options)
        },
        LoadOperation(name: "summary", weight: 40) { client, sequence, options in
          _ = try await Crm_Trust_V1_TrustService.Client(wrapping: client)
            .getProductSummary(.with { $0.productID = "p-\(sequence % 100)" }, options: options)
        },
      ])
  }
}

/// Ids made during setup, read by the operations (by sequence, wrapping around).
final class IDs: Sendable {
  private let values = Mutex<[String]>([])

  func append(_ id: String) { values.withLock { $0.append(id) } }

  subscript(sequence: Int) -> String {
    values.withLock { $0[sequence % $0.count] }
  }
}
