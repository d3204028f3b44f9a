import Foundation

/// The windows that place a profile in its lifecycle stage (DOMAIN.md section 1); every one is
/// configuration, injected into the service, with the documents' numbers as defaults.
public struct LifecyclePolicy: Sendable, Equatable {
  /// A buyer stays `new` this long after the first purchase.
  public var newWindow: TimeInterval
  /// Without activity for this long a profile turns `dormant`.
  public var dormantAfter: TimeInterval
  /// Without activity for this long a profile turns `churned`.
  public var churnedAfter: TimeInterval

  /// The documents' windows: new for 30 days, dormant after 90 days, churned after 365.
  public init(
    newWindow: TimeInterval = 30 * 86_400, dormantAfter: TimeInterval = 90 * 86_400,
    churnedAfter: TimeInterval = 365 * 86_400
  ) {
    self.newWindow = newWindow
    self.dormantAfter = dormantAfter
    self.churnedAfter = churnedAfter
  }
}
