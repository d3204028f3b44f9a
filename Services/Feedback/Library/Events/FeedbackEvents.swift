import Contracts
import Foundation
import GRDB
import ServiceKit
import SwiftProtobuf

/// What feedback tells the other services, recorded in its outbox in the same transaction as
/// the change (so an event exists exactly when its change does).
enum FeedbackEvents {
  /// A resolved complaint: interaction schedules the 24 h call, 72 h survey and follow-up.
  static let complaintConsumers: [SuiteService] = [.interaction]
  /// Any new ticket is activity on the customer's profile.
  static let activityConsumers: [SuiteService] = [.segmentation]

  /// Every service feedback sends events to, for the relay and the status RPC.
  static var destinations: [SuiteService] {
    SuiteService.allCases.filter {
      complaintConsumers.contains($0) || activityConsumers.contains($0)
    }
  }

  static func ticketCreated(_ db: Database, ticket: TicketRecord, now: Date) throws {
    let event = EventStore.event(
      from: .feedback, customerID: ticket.customerID, at: now,
      payload: .customerActivity(
        .with {
          $0.kind = "ticket"
          $0.activityTime = Google_Protobuf_Timestamp(storeDate: now)
        }))
    try EventStore.enqueue(db, event, to: activityConsumers, now: now)
  }

  static func complaintResolved(_ db: Database, ticket: TicketRecord, now: Date) throws {
    let event = EventStore.event(
      from: .feedback, customerID: ticket.customerID, at: now,
      payload: .complaintResolved(
        .with {
          $0.ticketID = ticket.id
          $0.category = ticket.category
          $0.resolvedTime = Google_Protobuf_Timestamp(storeDate: now)
        }))
    try EventStore.enqueue(db, event, to: complaintConsumers, now: now)
  }
}

extension FeedbackService {
  /// The services feedback delivers events to.
  public static var eventDestinations: [SuiteService] { FeedbackEvents.destinations }
}
