import Contracts
import Foundation
import GRPCCore
import GRPCInProcessTransport
import Logging
import Loyalty
import ServiceKit
import ServiceKitTesting
import Testing

@Suite("Loyalty: events from the other services, applied once")
struct LoyaltyEventTests {
  func purchase(_ customer: String, order: String, amountMinor: Int64) -> Crm_Events_V1_Event {
    EventStore.event(
      from: .segmentation, customerID: customer, at: Date(),
      payload: .purchaseRecorded(.with {
        $0.orderID = order
        $0.amount = .with { $0.amountMinor = amountMinor; $0.currency = "CNY" }
      }))
  }

  @Test("a recorded purchase earns a point per currency unit, once however often it is delivered; a refund takes them back")
  func purchaseAndRefund() async throws {
    let database = try StoreOpener.inMemory(migrator: LoyaltyStore.migrator)
    let clock = ManualClock()
    let loyalty = LoyaltyService(store: LoyaltyStore(database: database), clock: clock, logger: Logger(label: "test"))
    let sink = EventSinkService(database: database, applier: loyalty, clock: clock)
    try await withInProcessServer([loyalty, sink]) { client in
      let events = Crm_Events_V1_EventSink.Client(wrapping: client)
      let accounts = Crm_Loyalty_V1_LoyaltyService.Client(wrapping: client)
      let bought = purchase("c1", order: "o-1", amountMinor: 12_345)
      for _ in 0..<3 { _ = try await events.deliverEvents(.with { $0.events = [bought] }) }
      let afterPurchase = try await accounts.getAccount(.with { $0.customerID = "c1" }).account
      #expect(afterPurchase.balance == 123)

      let refund = EventStore.event(
        from: .segmentation, customerID: "c1", at: Date(),
        payload: .purchaseRefunded(.with {
          $0.refundID = "r-1"
          $0.orderID = "o-1"
          $0.refundAmount = .with { $0.amountMinor = 12_345; $0.currency = "CNY" }
          $0.orderAmount = .with { $0.amountMinor = 12_345; $0.currency = "CNY" }
        }))
      for _ in 0..<2 { _ = try await events.deliverEvents(.with { $0.events = [refund] }) }
      let afterRefund = try await accounts.getAccount(.with { $0.customerID = "c1" }).account
      #expect(afterRefund.balance == 0)
    }
  }

  @Test("a purchase under one currency unit earns nothing and is still acknowledged")
  func smallPurchase() async throws {
    let database = try StoreOpener.inMemory(migrator: LoyaltyStore.migrator)
    let loyalty = LoyaltyService(store: LoyaltyStore(database: database), clock: ManualClock(), logger: Logger(label: "test"))
    let sink = EventSinkService(database: database, applier: loyalty, clock: ManualClock())
    try await withInProcessServer([loyalty, sink]) { client in
      let event = purchase("c2", order: "o-2", amountMinor: 99)
      let response = try await Crm_Events_V1_EventSink.Client(wrapping: client).deliverEvents(.with { $0.events = [event] })
      #expect(response.acknowledgedEventIds == [event.eventID])
      #expect(response.rejected.isEmpty)
      let error = await #expect(throws: RPCError.self) {
        try await Crm_Loyalty_V1_LoyaltyService.Client(wrapping: client).getAccount(.with { $0.customerID = "c2" })
      }
      #expect(error?.code == .notFound)
    }
  }
}
