import Contracts
import Foundation
import GRDB
import GRPCCore
import GRPCNIOTransportHTTP2
import Logging
import ServiceLifecycle

/// Delivers a service's outbox to the services that consume its events, over gRPC.
///
/// Each destination has its own queue and its own connection, so a receiver that is down or
/// slow holds up only its own events. Within a destination events go in the order they were
/// recorded (so one customer's events arrive in order); a failed batch is retried with
/// exponential backoff and jitter until it is acknowledged. Nothing is lost on a crash: an
/// event leaves the queue only when the receiver has acknowledged it.
public struct OutboxRelay: Service {
  /// How the relay paces itself.
  public struct Configuration: Sendable {
    /// How often an idle queue is looked at.
    public var pollInterval: Duration = .milliseconds(200)
    /// Most events sent in one call.
    public var batchSize = 64
    /// First retry delay, doubled per consecutive failure up to `maxBackoff`.
    public var baseBackoff: TimeInterval = 0.2
    /// Longest retry delay.
    public var maxBackoff: TimeInterval = 30
    /// Deadline of one delivery call.
    public var callTimeout: Duration = .seconds(5)
    /// An outbox whose oldest pending event is older than this is reported by health.
    public var stuckAfter: TimeInterval = 300
    /// The defaults.
    public init() {}
  }

  /// The health name under which a stuck outbox is reported NOT_SERVING.
  public static let healthName = Crm_Events_V1_Outbox.descriptor.fullyQualifiedService

  private let database: any DatabaseWriter
  private let destinations: [SuiteService: PeerAddress]
  private let clock: any WallClock
  private let logger: Logger
  private let health: HealthStatusBoard?
  private let configuration: Configuration
  private let credentials: TransportCredentials

  /// Creates a relay delivering to `destinations`, over `credentials` (TLS and the token the
  /// receivers check the sender's identity with).
  public init(
    database: any DatabaseWriter, destinations: [SuiteService: PeerAddress], clock: any WallClock,
    logger: Logger, health: HealthStatusBoard?, credentials: TransportCredentials = .plaintext,
    configuration: Configuration = Configuration()
  ) {
    self.credentials = credentials
    self.database = database
    self.destinations = destinations
    self.clock = clock
    self.logger = logger
    self.health = health
    self.configuration = configuration
  }

  public func run() async throws {
    await withDiscardingTaskGroup { group in
      for (destination, address) in destinations {
        group.addTask { await deliverUntilShutdown(to: destination, at: address) }
      }
      group.addTask { await watchForStuckQueue() }
    }
  }

  private func pause(_ duration: Duration) async {
    try? await cancelWhenGracefulShutdown { try await Task.sleep(for: duration) }
  }

  private var stopping: Bool { Task.isShuttingDownGracefully || Task.isCancelled }

  private func deliverUntilShutdown(to destination: SuiteService, at address: PeerAddress) async {
    do {
      try await withGRPCClient(
        transport: .http2NIOPosix(
          target: address.target, transportSecurity: credentials.clientSecurity()),
        interceptors: credentials.clientInterceptors
      ) { client in
        let sink = Crm_Events_V1_EventSink.Client(wrapping: client)
        while !stopping {
          if await !deliverBatch(to: destination, sink: sink) {
            await pause(configuration.pollInterval)
          }
        }
      }
    } catch {
      logger.error("outbox relay stopped", metadata: ["destination": "\(destination.rawValue)", "error": "\(error)"])
    }
  }

  /// Sends the head of `destination`'s queue; returns whether there may be more to send now.
  private func deliverBatch(to destination: SuiteService, sink: Crm_Events_V1_EventSink.Client<HTTP2ClientTransport.Posix>) async -> Bool {
    let now = clock.now()
    let batch: [PendingEvent]
    do {
      batch = try await database.read { db in
        try PendingEvent.fetchAll(
          db,
          sql: """
            SELECT seq, event_id, event, attempts, next_attempt_at FROM outbox_event
            WHERE destination = ? AND state = 0 ORDER BY seq LIMIT ?
            """,
          arguments: [destination.rawValue, configuration.batchSize])
      }
    } catch is CancellationError {
      return false  // the service is stopping (or never started); nothing went wrong
    } catch {
      logger.error("outbox read failed", metadata: ["error": "\(error)"])
      return false
    }
    guard let head = batch.first, head.nextAttemptAt <= now else { return false }

    do {
      let events = try batch.map { try Crm_Events_V1_Event(serializedBytes: $0.event) }
      var options = CallOptions.defaults
      options.timeout = configuration.callTimeout
      let response = try await sink.deliverEvents(.with { $0.events = events }, options: options)
      let acknowledged = Set(response.acknowledgedEventIds)
      let rejected = Dictionary(response.rejected.map { ($0.eventID, $0.reason) }, uniquingKeysWith: { a, _ in a })
      let settledAt = clock.now()
      try await database.write { db in
        for event in batch where acknowledged.contains(event.eventID) {
          let reason = rejected[event.eventID]
          try db.execute(
            sql: "UPDATE outbox_event SET state = ?, last_error = ?, settled_at = ? WHERE seq = ?",
            arguments: [(reason == nil ? OutboxState.delivered : .rejected).rawValue, reason, settledAt, event.seq])
        }
      }
      for (id, reason) in rejected {
        logger.warning("event rejected by receiver", metadata: ["destination": "\(destination.rawValue)", "event-id": "\(id)", "reason": "\(reason)"])
      }
      if head.attempts > 0 {
        logger.info("outbox delivering again", metadata: ["destination": "\(destination.rawValue)", "after-attempts": "\(head.attempts)"])
      }
      return !acknowledged.isEmpty
    } catch {
      let attempts = head.attempts + 1
      let delay = backoff(afterAttempts: attempts)
      let message = (error as? RPCError).map { "\($0.code): \($0.message)" } ?? "\(error)"
      if attempts == 1 || attempts % 10 == 0 {
        logger.warning(
          "outbox delivery failed; retrying",
          metadata: ["destination": "\(destination.rawValue)", "attempts": "\(attempts)", "error": "\(message)"])
      }
      try? await database.write { db in
        try db.execute(
          sql: "UPDATE outbox_event SET attempts = ?, next_attempt_at = ?, last_error = ? WHERE seq = ?",
          arguments: [attempts, now.addingTimeInterval(delay), message, head.seq])
      }
      return false
    }
  }

  /// Exponential backoff with "equal jitter": half fixed, half random, so that many senders
  /// retrying one receiver spread out instead of arriving together.
  func backoff(afterAttempts attempts: Int) -> TimeInterval {
    let ceiling = min(configuration.maxBackoff, configuration.baseBackoff * pow(2, Double(min(attempts - 1, 30))))
    return ceiling / 2 + Double.random(in: 0...(ceiling / 2))
  }

  private func watchForStuckQueue() async {
    guard let health else { return }
    var stuck = false
    while !stopping {
      let oldest = try? await database.read { db in
        try Date.fetchOne(db, sql: "SELECT min(created_at) FROM outbox_event WHERE state = 0")
      }
      let age = oldest.flatMap { $0 }.map { clock.now().timeIntervalSince($0) } ?? 0
      let isStuck = age > configuration.stuckAfter
      if isStuck != stuck {
        stuck = isStuck
        health.set(isStuck ? .notServing : .serving, for: Self.healthName)
        logger.log(level: isStuck ? .error : .info, "outbox stuck", metadata: ["stuck": "\(isStuck)", "oldest-age-s": "\(Int(age))"])
      }
      await pause(.seconds(5))
    }
  }
}

/// One pending outbox row.
private struct PendingEvent: FetchableRecord, Decodable {
  var seq: Int64
  var eventID: String
  var event: Data
  var attempts: Int
  var nextAttemptAt: Date

  enum CodingKeys: String, CodingKey {
    case seq, event, attempts
    case eventID = "event_id"
    case nextAttemptAt = "next_attempt_at"
  }
}
