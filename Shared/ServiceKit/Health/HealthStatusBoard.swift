import Contracts
import Synchronization

/// The serving status of each service name in this process, shared by the health service,
/// the store probe and shutdown; watchers get every change.
public final class HealthStatusBoard: Sendable {
  /// A serving status, as grpc.health.v1 names it.
  public typealias Status = Grpc_Health_V1_HealthCheckResponse.ServingStatus

  private struct State {
    var statuses: [String: Status] = [:]
    var watchers: [Int: (name: String, continuation: AsyncStream<Status>.Continuation)] = [:]
    var nextWatcher = 0
  }

  private let state = Mutex(State())

  /// Creates a board where every name in `services` (and "" for the whole server) is
  /// NOT_SERVING until the server says otherwise.
  public init(services: [String]) {
    state.withLock { state in
      for name in services + [""] { state.statuses[name] = .notServing }
    }
  }

  /// The status of `service`, or nil for a name the board does not know.
  public func status(of service: String) -> Status? {
    state.withLock { $0.statuses[service] }
  }

  /// Sets every known name to `status` (start-up, store failure, shutdown).
  public func setAll(_ status: Status) {
    let notify = state.withLock { state -> [AsyncStream<Status>.Continuation] in
      var changed: Set<String> = []
      for (name, old) in state.statuses where old != status {
        state.statuses[name] = status
        changed.insert(name)
      }
      return state.watchers.values.filter { changed.contains($0.name) }.map(\.continuation)
    }
    for continuation in notify { continuation.yield(status) }
  }

  /// Sets one name's status (registering the name if it is new).
  public func set(_ status: Status, for service: String) {
    let notify = state.withLock { state -> [AsyncStream<Status>.Continuation] in
      guard state.statuses[service] != status else { return [] }
      state.statuses[service] = status
      return state.watchers.values.filter { $0.name == service }.map(\.continuation)
    }
    for continuation in notify { continuation.yield(status) }
  }

  /// A stream of `service`'s status: the current one first, then each change, until the
  /// consumer stops or calls `stop`.
  func watch(_ service: String) -> (updates: AsyncStream<Status>, stop: @Sendable () -> Void) {
    let (stream, continuation) = AsyncStream.makeStream(of: Status.self, bufferingPolicy: .bufferingNewest(1))
    let id = state.withLock { state -> Int in
      let id = state.nextWatcher
      state.nextWatcher += 1
      state.watchers[id] = (service, continuation)
      continuation.yield(state.statuses[service] ?? .serviceUnknown)
      return id
    }
    continuation.onTermination = { [weak self] _ in
      _ = self?.state.withLock { $0.watchers.removeValue(forKey: id) }
    }
    return (stream, { continuation.finish() })
  }

  /// Ends every watch stream, so Watch RPCs return during shutdown.
  func finishWatchers() {
    let continuations = state.withLock { state in
      defer { state.watchers.removeAll() }
      return state.watchers.values.map(\.continuation)
    }
    for continuation in continuations { continuation.finish() }
  }
}
