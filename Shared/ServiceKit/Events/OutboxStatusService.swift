import Contracts
import Foundation
import GRDB
import GRPCCore

/// `crm.events.v1.Outbox`: how delivery of this service's events stands, per destination.
public struct OutboxStatusService: Crm_Events_V1_Outbox.SimpleServiceProtocol {
  private let database: any DatabaseWriter
  private let destinations: [SuiteService]
  private let clock: any WallClock

  /// Creates the service; `destinations` are listed even when nothing was sent to them yet.
  public init(database: any DatabaseWriter, destinations: [SuiteService], clock: any WallClock) {
    self.database = database
    self.destinations = destinations
    self.clock = clock
  }

  public func getOutboxStatus(
    request: Crm_Events_V1_GetOutboxStatusRequest,
    context: ServerContext
  ) async throws -> Crm_Events_V1_GetOutboxStatusResponse {
    let now = clock.now()
    let destinations = self.destinations
    return try await database.read { db in
      var response = Crm_Events_V1_GetOutboxStatusResponse()
      for destination in destinations.sorted(by: { $0.rawValue < $1.rawValue }) {
        let counts = try Row.fetchOne(
          db,
          sql: """
            SELECT sum(state = 0) AS pending, sum(state = 1) AS delivered, sum(state = 2) AS rejected,
                   min(CASE WHEN state = 0 THEN created_at END) AS oldest
            FROM outbox_event WHERE destination = ?
            """,
          arguments: [destination.rawValue])
        let head = try Row.fetchOne(
          db,
          sql: "SELECT attempts, last_error FROM outbox_event WHERE destination = ? AND state = 0 ORDER BY seq LIMIT 1",
          arguments: [destination.rawValue])
        response.destinations.append(
          .with {
            $0.destination = destination.rawValue
            $0.pending = counts?["pending"] ?? 0
            $0.delivered = counts?["delivered"] ?? 0
            $0.rejected = counts?["rejected"] ?? 0
            if let oldest = counts?["oldest"] as Date? { $0.oldestPendingAgeSeconds = max(0, now.timeIntervalSince(oldest)) }
            $0.consecutiveFailures = head?["attempts"] ?? 0
            $0.lastError = (head?["last_error"] as String?) ?? ""
          })
      }
      return response
    }
  }
}
