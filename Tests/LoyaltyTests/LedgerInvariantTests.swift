import Contracts
import Foundation
import GRPCCore
import ServiceKit
import Testing

@Suite("Loyalty: the ledger invariant over a long random run")
struct LedgerInvariantTests {
  struct Order {
    var customer: String
    var id: String
    var amount: Int64
    var refunded: Int64
  }

  @Test(
    "balance == sum of entries == sum of lots, never negative, after every operation",
    arguments: [UInt64(7), 2026])
  func randomRun(seed: UInt64) async throws {
    // ServiceKit's seeded generator, so that a failing run can be replayed from its seed.
    var random = SplitMix64(seed: seed)
    let customers = ["c-0", "c-1", "c-2", "c-3"]
    var orders: [Order] = []
    var earns: [(Crm_Loyalty_V1_EarnPointsRequest, Crm_Loyalty_V1_EarnPointsResponse)] = []
    // Due lots may be waiting for a run; a redeem then expires them first, so a balance read
    // before it may overstate what it can spend.
    var expiryPending = false

    try await LoyaltyHarness.run { loyalty in
      for step in 0..<400 {
        let customer = customers.randomElement(using: &random)!
        let roll = Int.random(in: 0..<100, using: &random)
        let context = Comment(rawValue: "seed \(seed), step \(step)")
        var touched = [customer]

        switch roll {
        case 0..<40:  // earn, half of them on an order
          let points = Int64.random(in: 1...500, using: &random)
          let order = Bool.random(using: &random) ? "o-\(step)" : ""
          let request = Crm_Loyalty_V1_EarnPointsRequest.with {
            $0.customerID = customer
            $0.points = points
            $0.orderID = order
            $0.idempotencyKey.key = "earn-\(step)"
          }
          earns.append((request, try await loyalty.client.earnPoints(request)))
          if !order.isEmpty {
            orders.append(Order(customer: customer, id: order, amount: points * 97, refunded: 0))
          }

        case 40..<65:  // redeem, sometimes more than the balance
          guard let before = try? await loyalty.account(customer) else { continue }
          let points = Int64.random(in: 1...(before.balance + 50), using: &random)
          do {
            let after = try await loyalty.redeem(customer, points, key: "redeem-\(step)").account
            #expect(points <= before.balance, context)
            #expect(expiryPending || after.balance == before.balance - points, context)
          } catch let error as RPCError {
            #expect(error.code == .failedPrecondition, context)
            #expect(expiryPending || points > before.balance, context)
          }

        case 65..<85:  // refund part of an order
          guard
            let index = orders.indices.filter({ orders[$0].refunded < orders[$0].amount })
              .randomElement(using: &random)
          else { continue }
          let order = orders[index]
          let refund = Int64.random(in: 1...(order.amount - order.refunded), using: &random)
          touched = [order.customer]
          _ = try await loyalty.client.reversePoints(
            LoyaltyHarness.reverseRequest(
              order.customer, order: order.id, refund: "rf-\(step)", refunded: refund,
              of: order.amount))
          orders[index].refunded += refund

        case 85..<95:  // time passes; usually the periodic expiry runs
          loyalty.clock.advance(by: Double(Int.random(in: 1...90, using: &random)) * 86_400)
          expiryPending = true
          touched = customers
          if Int.random(in: 0..<10, using: &random) < 7 {
            while try await loyalty.client.runExpiry(.with { $0.maxLots = 50 }).more {}
            expiryPending = false
          }

        default:  // a retry of an earlier earn replays its first result
          guard let (request, response) = earns.randomElement(using: &random) else { continue }
          #expect(try await loyalty.client.earnPoints(request) == response, context)
          touched = [request.customerID]
        }

        for customer in touched where (try? await loyalty.account(customer)) != nil {
          try await loyalty.expectInvariant(customer)
        }
      }
    }
  }
}
