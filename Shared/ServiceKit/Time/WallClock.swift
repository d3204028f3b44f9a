import Foundation
import Synchronization

/// The time as services see it. Rules measured in hours and days read this, never `Date()`,
/// so tests move time with a ``ManualClock`` instead of sleeping.
public protocol WallClock: Sendable {
  /// The current time.
  func now() -> Date
}

/// The real time.
public struct SystemClock: WallClock {
  /// Creates the system clock.
  public init() {}
  /// `Date()`.
  public func now() -> Date { Date() }
}

/// A clock that only moves when told to; for tests of time-based rules.
public final class ManualClock: WallClock {
  private let current: Mutex<Date>

  /// Creates a clock stopped at `start`.
  public init(start: Date = Date(timeIntervalSince1970: 1_767_225_600)) {  // 2026-01-01T00:00:00Z
    current = Mutex(start)
  }

  /// The time it was last set to.
  public func now() -> Date { current.withLock { $0 } }

  /// Moves the clock forward by `interval` seconds.
  public func advance(by interval: TimeInterval) {
    current.withLock { $0 += interval }
  }

  /// Sets the clock to `date`.
  public func set(_ date: Date) {
    current.withLock { $0 = date }
  }
}
