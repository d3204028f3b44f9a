import ServiceKit

/// Runs `body` while `peer` holds its connections (what the service runtime does for its
/// background work), and closes them afterwards, whether `body` returns or throws.
public func withPeerConnections<Result: Sendable>(
  _ peer: PeerClient, _ body: () async throws -> Result
) async throws -> Result {
  try await withThrowingTaskGroup(of: Void.self) { group in
    group.addTask { try await peer.client.runConnections() }
    let result: Result
    do {
      result = try await body()
    } catch {
      peer.client.beginGracefulShutdown()
      try? await group.waitForAll()
      throw error
    }
    peer.client.beginGracefulShutdown()
    try await group.waitForAll()
    return result
  }
}
