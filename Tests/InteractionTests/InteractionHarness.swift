import Contracts
import Foundation
import GRDB
import GRPCCore
import GRPCInProcessTransport
import Interaction
import Logging
import ServiceKit
import ServiceKitTesting
import SwiftProtobuf

/// The interaction service in process, with its event sink and outbox status, over an
/// in-memory store and a manual clock; no segmentation unless a directory is given.
struct InteractionHarness {
  typealias Transport = InProcessTransport.Client
  let client: Crm_Interaction_V1_InteractionService.Client<Transport>
  let sink: Crm_Events_V1_EventSink.Client<Transport>
  let outbox: Crm_Events_V1_Outbox.Client<Transport>
  let clock: ManualClock

  static func run(
    directory: SegmentationDirectory? = nil, clock: ManualClock = ManualClock(),
    database: (any DatabaseWriter)? = nil,
    _ body: (InteractionHarness) async throws -> Void
  ) async throws {
    let database = try database ?? StoreOpener.inMemory(migrator: InteractionStore.migrator)
    let service = InteractionService(
      store: InteractionStore(database: database), clock: clock, logger: Logger(label: "test"), directory: directory,
      pageLimits: PageLimits(defaultSize: 50, maxSize: 500))
    let services: [any RegistrableRPCService] = [
      service,
      EventSinkService(database: database, applier: service, clock: clock),
      OutboxStatusService(database: database, destinations: InteractionEvents.destinations, clock: clock),
    ]
    try await withInProcessServer(services) { client in
      try await body(
        InteractionHarness(
          client: .init(wrapping: client), sink: .init(wrapping: client), outbox: .init(wrapping: client), clock: clock))
    }
  }

  /// Delivers one event from `source` about `customerID`.
  @discardableResult
  func deliver(
    id: String, customerID: String, source: String = "segmentation", at time: Date? = nil,
    _ payload: Crm_Events_V1_Event.OneOf_Payload
  ) async throws -> Crm_Events_V1_DeliverEventsResponse {
    try await sink.deliverEvents(.with {
      $0.events = [
        .with {
          $0.eventID = id
          $0.source = source
          $0.customerID = customerID
          $0.occurTime = .init(date: time ?? clock.now())
          $0.payload = payload
        }
      ]
    })
  }

  /// A registration as segmentation sends it.
  func register(_ customerID: String, name: String = "Wang Fang", zone: String = "Asia/Shanghai", eventID: String? = nil) async throws {
    try await deliver(
      id: eventID ?? "reg-\(customerID)", customerID: customerID,
      .customerRegistered(.with { $0.displayName = name; $0.timeZone = zone }))
  }

  /// The open tasks of a customer, earliest due first.
  func tasks(of customerID: String, view: Crm_Interaction_V1_TaskView = .open) async throws -> [Crm_Interaction_V1_CareTask] {
    try await client.listTasks(.with { $0.customerID = customerID; $0.view = view }).tasks
  }
}

extension Date {
  /// An instant from an ISO 8601 text (tests only).
  init(iso: String) {
    self = ISO8601DateFormatter().date(from: iso)!
  }
}

/// The code and message of an RPC failure, or nil when the call succeeded.
func rpcFailure(_ body: () async throws -> Void) async -> RPCError? {
  do {
    try await body()
    return nil
  } catch let error as RPCError {
    return error
  } catch {
    return RPCError(code: .unknown, message: "\(error)")
  }
}
