import Contracts
import Foundation
import GRPCCore
import Segmentation
import Testing

@Suite("Segmentation: concurrent purchases share transactions (group commit)")
struct PurchaseGroupCommitTests {
  @Test("concurrent purchases, replays, conflicts and an unknown buyer: each order applied once, the failures change nothing")
  func concurrentPurchases() async throws {
    try await SegmentationHarness.run { h in
      // Given five customers
      var customers: [String] = []
      for n in 0..<5 { customers.append(try await h.createCustomer("Buyer \(n)")) }
      // and 100 distinct orders, 30 replays of them, 10 conflicting bodies and 5 for nobody
      let orders = (0..<100).map { i in
        h.purchase("o-\(i)", customer: customers[i % 5], amount: Int64(1_000 + i), daysAgo: 1)
      }
      let replays = Array(orders.prefix(30))
      let conflicts = orders.suffix(10).map { order in
        var changed = order
        changed.amount.amountMinor += 1
        return changed
      }
      let strays = (0..<5).map { i in h.purchase("stray-\(i)", customer: "nobody", amount: 500) }
      let calls = orders + replays + conflicts + strays

      // When all run at once
      let outcomes = await withTaskGroup(of: (String, Result<Int64, RPCError>).self) { group in
        for purchase in calls {
          group.addTask {
            do {
              let response = try await h.record(purchase)
              return (purchase.orderID, .success(response.purchase.amount.amountMinor))
            } catch let error as RPCError {
              return (purchase.orderID, .failure(error))
            } catch {
              return (purchase.orderID, .failure(RPCError(code: .unknown, message: "\(error)")))
            }
          }
        }
        return await group.reduce(into: [(String, Result<Int64, RPCError>)]()) { $0.append($1) }
      }

      // Then every order is recorded once with its first body; every answer for it says so
      let failures = outcomes.compactMap { outcome -> RPCError.Code? in
        if case .failure(let error) = outcome.1 { return error.code }
        return nil
      }
      #expect(failures.filter { $0 == .notFound }.count == 5)
      // A conflicting body either lost the race (ALREADY_EXISTS) or won it, and then the
      // original body is the one refused: exactly one of each pair fails.
      #expect(failures.filter { $0 == .alreadyExists }.count == 10)
      #expect(failures.count == 15)
      var recorded: [String: Int64] = [:]
      for (orderID, result) in outcomes {
        guard case .success(let amount) = result else { continue }
        if let first = recorded[orderID] { #expect(first == amount, "order \(orderID)") }
        recorded[orderID] = amount
      }
      #expect(recorded.count == 100)
      for (n, customer) in customers.enumerated() {
        let profile = try await h.get(customer)
        let expected = recorded.filter { Int($0.key.dropFirst(2))! % 5 == n }.values.reduce(0, +)
        #expect(profile.purchaseCount == 20)
        #expect(profile.totalSpend.amountMinor == expected)
      }
      // and the writes went through the grouped writer
      let statistics = try #require(h.service.purchaseWriter?.statistics)
      #expect(statistics.operations == calls.count)
      #expect(statistics.batches >= 1 && statistics.largestBatch >= 1)
    }
  }
}
