import ArgumentParser
import Contracts
import Feedback
import Foundation
import GRPCCore
import ServiceKit

/// `crm-bench feedback measure`: the issue's scale figures against a running feedback-service
/// whose store `feedback fill` wrote (same --tickets, --agents and --seed).
struct FeedbackMeasure: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "measure",
    abstract: "Time the SLA scan, hot-issue ranking, ticket history, owner queue and breach list.")

  @OptionGroup var bench: MeasureOptions
  @Option(help: "Tickets the store was filled with.") var tickets = 1_000_000
  @Option(help: "Agents the store was filled with.") var agents = 200
  @Option(help: "Seed the store was filled with.") var seed: UInt64 = 1

  func run() async throws {
    let (tickets, agents, seed, calls) = (tickets, agents, seed, bench.calls)
    let figures = try await withBenchClient(bench.addr) { client in
      let feedback = Crm_Feedback_V1_FeedbackService.Client(wrapping: client)
      var figures = BenchFigures(service: "feedback")
      try await Self.storeCounts(feedback, into: &figures)
      do {
        _ = try await feedback.getTicket(
          .with { $0.ticketID = FeedbackBulkFill.ticketID(0, seed: seed) })
      } catch let error as RPCError where error.code == .notFound {
        throw ValidationError(
          "bulk ticket 0 is not in the store: was it filled with --seed \(seed)?")
      }

      // The minute's scan: the first catches up with the clocks that fell due since the fill,
      // the second (as every later minute) finds next to nothing.
      for run in 1...2 {
        let start = ContinuousClock.now
        let scan = try await feedback.runSlaScan(.init())
        figures.add(
          "SLA scan \(run) (breached \(scan.breachedCount))", secondsSince(start) * 1000, "ms",
          under: 1000)
      }
      for (grouping, name) in [
        (Crm_Feedback_V1_HotIssueGrouping.category, "category"), (.issue, "issue"),
      ] {
        let start = ContinuousClock.now
        let hot = try await feedback.listHotIssues(
          .with {
            $0.windowSeconds = 30 * 86400; $0.groupBy = grouping; $0.limit = 10
          })
        figures.add(
          "hot issues by \(name), 30 days (top \(hot.issues.first?.count ?? 0))",
          secondsSince(start) * 1000, "ms", under: 1000)
      }

      var failures = 0
      for concurrency in [1, 32] {
        let history = await LatencySample.measure(count: calls, concurrency: concurrency) { i in
          let n = Self.pick(i, salt: 1, below: tickets)
          _ = try await feedback.getTicketHistory(
            .with {
              $0.ticketID = FeedbackBulkFill.ticketID(n, seed: seed); $0.page.pageSize = 50
            })
        }
        let queue = await LatencySample.measure(count: calls, concurrency: concurrency) { i in
          let agent = FeedbackBulkFill.agentID(Self.pick(i, salt: 2, below: agents))
          _ = try await feedback.listTickets(
            .with {
              $0.ownerID = agent; $0.page.pageSize = 50
            })
        }
        let breaches = await LatencySample.measure(count: calls / 4, concurrency: concurrency) {
          i in
          let agent = FeedbackBulkFill.agentID(Self.pick(i, salt: 3, below: agents))
          _ = try await feedback.listBreaches(
            .with {
              $0.ownerID = agent; $0.page.pageSize = 50
            })
        }
        // Index lookups answer in milliseconds one at a time; at 32 in flight on a small
        // machine (client and server sharing its cores) the latency is the queue's, so those
        // figures are recorded without a target, with the rate they sustained.
        let samples = [("ticket history", history), ("owner queue", queue), ("owner breaches", breaches)]
        for (name, sample) in samples {
          let single = concurrency == 1
          figures.add(
            "\(name) p50, c=\(concurrency)", sample.p50Milliseconds, "ms", under: single ? 10 : nil)
          figures.add(
            "\(name) p99, c=\(concurrency)", sample.p99Milliseconds, "ms", under: single ? 20 : nil)
          figures.add("\(name) rate, c=\(concurrency)", sample.rate, "calls/s")
          failures += sample.failures
        }
      }
      if failures > 0 { throw ValidationError("\(failures) calls failed") }
      return figures
    }
    try figures.emit(to: bench.out)
  }

  /// What the store holds, from the service's own reads: tickets by the category ranking over
  /// the fill's two years (a covering index), open tickets and CSAT from the last 30 days'
  /// figures (timed, without a target: a dashboard's read, not one of the issue's).
  static func storeCounts(
    _ feedback: Crm_Feedback_V1_FeedbackService.Client<some ClientTransport>,
    into figures: inout BenchFigures
  ) async throws {
    let now = Date()
    var tickets: Int64 = 0
    for year in 0..<3 {
      let end = now.addingTimeInterval(1 - Double(year) * 366 * 86400)
      let ranking = try await feedback.listHotIssues(
        .with {
          $0.fromTime = .init(date: end.addingTimeInterval(-366 * 86400))
          $0.toTime = .init(date: end)
          $0.groupBy = .category
          $0.limit = 100
        })
      tickets += ranking.issues.reduce(0) { $0 + $1.count }
    }
    figures.store["tickets"] = Int(tickets)
    let start = ContinuousClock.now
    let recent = try await feedback.getFeedbackFigures(
      .with {
        $0.fromTime = .init(date: now.addingTimeInterval(-30 * 86400))
        $0.toTime = .init(date: now.addingTimeInterval(1))
      })
    figures.add("figures over the last 30 days", secondsSince(start) * 1000, "ms")
    figures.store["open tickets"] = Int(recent.backlogOpen)
    figures.store["tickets created, last 30 days"] = Int(recent.ticketsCreated)
    figures.store["csat answers, last 30 days"] = Int(recent.csatAnswers)
  }

  /// A random number below `bound` for call `i`, the same on every run.
  static func pick(_ i: Int, salt: UInt64, below bound: Int) -> Int {
    var random = SplitMix64(seed: UInt64(i) &* 0x9E37_79B9_7F4A_7C15 ^ salt)
    return random.below(bound)
  }
}
