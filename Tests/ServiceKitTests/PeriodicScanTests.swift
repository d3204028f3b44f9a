import GRPCCore
import Logging
import ServiceKit
import ServiceLifecycle
import Synchronization
import Testing

/// A scheduled scan runs its handler with a context naming the method, keeps going after a
/// failure, and stops with the service group.
@Suite struct PeriodicScanTests {
  final class Calls: Sendable {
    let methods = Mutex<[String]>([])
  }

  @Test func runsRepeatedlyThroughFailuresAndStopsOnShutdown() async throws {
    let calls = Calls()
    let descriptor = MethodDescriptor(fullyQualifiedService: "crm.test.v1.Test", method: "RunScan")
    let scan = PeriodicScan(descriptor, every: .milliseconds(20), logger: Logger(label: "test")) { context in
      let count = calls.methods.withLock { methods in
        methods.append(context.descriptor.method)
        return methods.count
      }
      if count == 2 { throw CancellationError() }  // a failed scan must not stop the next ones
    }
    let group = ServiceGroup(services: [scan], logger: Logger(label: "test"))
    try await withThrowingTaskGroup(of: Void.self) { tasks in
      tasks.addTask { try await group.run() }
      let deadline = ContinuousClock.now + .seconds(10)
      while calls.methods.withLock({ $0.count }) < 4, ContinuousClock.now < deadline {
        try await Task.sleep(for: .milliseconds(10))
      }
      await group.triggerGracefulShutdown()
      try await tasks.waitForAll()
    }
    let methods = calls.methods.withLock { $0 }
    #expect(methods.count >= 4)
    #expect(Set(methods) == ["RunScan"])
  }
}
