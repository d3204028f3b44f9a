import ArgumentParser
import Contracts
import Foundation
import GRPCCore
import Interaction
import ServiceKit
import SwiftProtobuf

/// `crm-bench interaction measure`: against a running interaction-service filled by `fill`,
/// the due list of one owner and the first timeline page of one customer (p50/p99 at
/// concurrency 1 and 32, random owners and customers), and the birthday scan of one day
/// through RunDateScan, timed, then run again to show it creates nothing twice.
///
/// Segmentation need not run: none of these reads asks it (the scan uses the local copies).
struct InteractionMeasureCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "measure", abstract: "Measure due lists, timelines and the birthday scan of a running service.")

  @OptionGroup var bench: MeasureOptions

  @Option(help: "Customers the store was filled with.")
  var customers = 1_000_000

  @Option(help: "Account managers the store was filled with.")
  var managers = 200

  @Option(help: "Day whose birthday scan is timed (scanned at 12:00 UTC); default 30 days ago, a day the fill left to the scan. Each day can be measured once per store.")
  var scanDay: String?

  @Option(help: "Seed of the random owners and customers.")
  var seed: UInt64 = 7

  func run() async throws {
    let scanTime = try scanDay.map { try parseBenchTime($0, option: "--scan-day") }
      .map { $0.addingTimeInterval(12 * 3_600) } ?? Self.noonUTC(daysAgo: 30)
    let (figures, problems) = try await withBenchClient(bench.addr) { [self] client in
      try await measure(Crm_Interaction_V1_InteractionService.Client(wrapping: client), scanTime: scanTime)
    }
    try figures.emit(to: bench.out)
    for problem in problems { FileHandle.standardError.write(Data("error: \(problem)\n".utf8)) }
    if !problems.isEmpty { throw ExitCode.failure }
  }

  private func measure<Transport: ClientTransport>(
    _ interaction: Crm_Interaction_V1_InteractionService.Client<Transport>, scanTime: Date
  ) async throws -> (BenchFigures, [String]) {
    var figures = BenchFigures(service: "interaction")
    var problems: [String] = []
    // What the store holds, cheaply: the last 30 days of the log (a full count is a scan).
    let now = Date()
    let recent = try await interaction.getInteractionFigures(.with {
      $0.fromTime = Google_Protobuf_Timestamp(date: now.addingTimeInterval(-30 * 86_400))
      $0.toTime = Google_Protobuf_Timestamp(date: now)
    })
    let first = try await interaction.listTimeline(.with { $0.customerID = BulkIDs.customer(0) })
    figures.store = [
      "customers (as filled)": customers, "interactions in the last 30 days": Int(recent.overall.interactions),
      "customers touched in the last 30 days": Int(recent.overall.customers),
      "timeline page of the longest history": first.interactions.count,
    ]
    guard !first.interactions.isEmpty else {
      return (figures, ["customer \(BulkIDs.customer(0)) has no timeline: is this a filled store?"])
    }

    let owners = (0..<managers).map(InteractionBulkFill.managerName) + InteractionBulkFill.roleOwners
    let customerCount = customers
    let seed = seed
    for concurrency in [1, 32] {
      // Owners: managers mostly, and the shared role queues (the longest lists) one call in four.
      let due = await LatencySample.measure(count: bench.calls, concurrency: concurrency) { i in
        let roll = Self.mix(seed, i)
        let owner = i % 4 == 0 ? InteractionBulkFill.roleOwners[Int(roll % 3)] : owners[Int(roll % UInt64(owners.count - 3))]
        _ = try await interaction.listTasks(.with { $0.owner = owner; $0.view = .due })
      }
      let timeline = await LatencySample.measure(count: bench.calls, concurrency: concurrency) { i in
        let customer = BulkIDs.customer(Int(Self.mix(seed &+ 1, i) % UInt64(customerCount)))
        _ = try await interaction.listTimeline(.with { $0.customerID = customer })
      }
      for (name, sample) in [("due list of one owner", due), ("timeline first page", timeline)] {
        figures.add("\(name), c=\(concurrency), p50", sample.p50Milliseconds, "ms")
        figures.add("\(name), c=\(concurrency), p99", sample.p99Milliseconds, "ms", under: concurrency == 1 ? 50 : nil)
        figures.add("\(name), c=\(concurrency), rate", sample.rate, "calls/s")
        if sample.failures > 0 { problems.append("\(sample.failures) \(name) calls failed at concurrency \(concurrency)") }
      }
    }
    let request = Crm_Interaction_V1_RunDateScanRequest.with { $0.scanTime = Google_Protobuf_Timestamp(date: scanTime) }
    let started = ContinuousClock.now
    let scan = try await interaction.runDateScan(request)
    figures.add("birthday scan of one day", secondsSince(started), "s", under: 30)
    figures.add("birthday scan, moments created", Double(scan.momentsCreated), "moments")
    figures.add("birthday scan, tasks created", Double(scan.tasksCreated), "tasks")
    let again = ContinuousClock.now
    let rerun = try await interaction.runDateScan(request)
    figures.add("birthday scan of the same day again", secondsSince(again), "s", under: 30)
    figures.add("birthday scan again, tasks created", Double(rerun.tasksCreated), "tasks")
    let day = ISO8601DateFormatter().string(from: scanTime)
    if scan.momentsCreated == 0 {
      problems.append("the scan of \(day) created nothing: that day was already scanned in this store; pass another --scan-day")
    }
    if rerun.momentsCreated != 0 || rerun.tasksCreated != 0 {
      problems.append("the second scan of \(day) created \(rerun.momentsCreated) moments and \(rerun.tasksCreated) tasks")
    }
    return (figures, problems)
  }

  /// 12:00 UTC `days` days ago: one local date in almost every zone.
  static func noonUTC(daysAgo days: Int) -> Date {
    let today = (Date().timeIntervalSince1970 / 86_400).rounded(.down) * 86_400
    return Date(timeIntervalSince1970: today - Double(days) * 86_400 + 12 * 3_600)
  }

  /// A well-mixed number for call `i` (SplitMix64's finaliser).
  static func mix(_ seed: UInt64, _ i: Int) -> UInt64 {
    var random = SplitMix64(seed: seed &+ UInt64(i) &* 0x9E37_79B9_7F4A_7C15)
    return random.next()
  }
}
