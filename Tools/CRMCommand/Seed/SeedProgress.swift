import Foundation
import Synchronization

/// A progress bar on stderr (redrawn at most every 200 ms) and the final summary.
final class SeedProgress: Sendable {
  private let total: Int
  private let started = Date()
  private let state = Mutex<(counts: SeedCounts, lastDraw: Date)>((SeedCounts(), .distantPast))
  private let interactive = isatty(STDERR_FILENO) == 1

  init(total: Int) { self.total = total }

  func add(_ counts: SeedCounts) {
    let line: String? = state.withLock { state in
      state.counts = state.counts + counts
      let now = Date()
      guard now.timeIntervalSince(state.lastDraw) >= (interactive ? 0.2 : 5) || state.counts.customers == total else { return nil }
      state.lastDraw = now
      return render(state.counts, at: now)
    }
    if let line { FileHandle.standardError.write(Data((interactive ? "\r\(line)" : "\(line)\n").utf8)) }
  }

  func finish() {
    if interactive { FileHandle.standardError.write(Data("\n".utf8)) }
  }

  func summary() -> String {
    let counts = state.withLock { $0.counts }
    let seconds = Date().timeIntervalSince(started)
    return """
      seeded \(counts.customers) customers, \(counts.purchases) purchases, \(counts.interactions) interactions, \
      \(counts.tickets) tickets, \(counts.reviews) reviews in \(String(format: "%.1f", seconds)) s \
      (\(counts.calls) RPCs, \(Int(Double(counts.calls) / max(seconds, 0.001))) RPC/s)
      """
  }

  private func render(_ counts: SeedCounts, at now: Date) -> String {
    let width = 30
    let filled = total == 0 ? width : counts.customers * width / total
    let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
    let seconds = max(now.timeIntervalSince(started), 0.001)
    return "seeding [\(bar)] \(counts.customers)/\(total) customers, \(counts.calls) RPCs, \(Int(Double(counts.calls) / seconds)) RPC/s, \(Int(seconds)) s"
  }
}
