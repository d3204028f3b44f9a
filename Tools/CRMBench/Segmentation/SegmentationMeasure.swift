import ArgumentParser
import Contracts
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import ServiceKit

/// `crm-bench segmentation measure`: the issue's scale figures against a running service
/// filled with `crm-bench segmentation fill` (same --customers).
struct SegmentationMeasure: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "measure",
    abstract: "Measure lookups, lists, the dry run, the lifecycle scan and a full re-tier under load.")

  @OptionGroup var bench: MeasureOptions
  @Option(help: "Customers the store was filled with (bulk ids).") var customers = 1_000_000
  @Option(help: "Calls per list filter.") var listCalls = 50
  @Option(help: "Give up on a re-tier after this many seconds.") var retierTimeout = 900.0

  typealias Client = Crm_Segmentation_V1_SegmentationService.Client<HTTP2ClientTransport.Posix>

  func run() async throws {
    let customers = self.customers
    let calls = bench.calls
    let listCalls = self.listCalls
    let timeout = retierTimeout
    let (figures, failures) = try await withBenchClient(bench.addr) { grpc in
      let client = Client(wrapping: grpc)
      var figures = BenchFigures(service: "segmentation")
      var failures = 0
      try await Self.probe(client, customers: customers, figures: &figures)
      failures += try await Self.lookups(client, customers: customers, calls: calls, figures: &figures)
      failures += try await Self.lists(client, calls: listCalls, figures: &figures)
      try await Self.scans(client, figures: &figures)
      failures += try await Self.retiers(
        client, customers: customers, timeout: timeout, figures: &figures)
      return (figures, failures)
    }
    try figures.emit(to: bench.out)
    if failures > 0 {
      print("\(failures) calls failed")
      throw ExitCode.failure
    }
  }

  /// The store's size: live profiles by tier (from a dry run of the current rules) and a check
  /// that the last bulk id is there.
  static func probe(_ client: Client, customers: Int, figures: inout BenchFigures) async throws {
    _ = try await client.getCustomer(.with { $0.customerID = BulkIDs.customer(customers - 1) })
    let rules = try await client.listTierRules(.init()).rules
    let started = ContinuousClock.now
    let dryRun = try await client.dryRunTierRules(.with {
      $0.rules = rules
      $0.sampleSize = 1
    })
    figures.add("DryRunTierRules (current rules)", secondsSince(started), "s")
    figures.store["profiles"] = Int(dryRun.tierCounts.reduce(0) { $0 + $1.customers })
    for count in dryRun.tierCounts {
      figures.store["tier \(count.tier.isEmpty ? "(none)" : count.tier)"] = Int(count.customers)
    }
  }

  /// GetCustomer and ResolveIdentity over random bulk ids, at concurrency 1 and 32.
  static func lookups(_ client: Client, customers: Int, calls: Int, figures: inout BenchFigures)
    async throws -> Int
  {
    var failures = 0
    for concurrency in [1, 32] {
      let get = await LatencySample.measure(count: calls, concurrency: concurrency) { _ in
        _ = try await client.getCustomer(.with {
          $0.customerID = BulkIDs.customer(Int.random(in: 0..<customers))
        })
      }
      let resolve = await LatencySample.measure(count: calls, concurrency: concurrency) { _ in
        _ = try await client.resolveIdentity(.with {
          $0.identity = .with {
            $0.channel = .appAccount
            $0.externalID = "bulk-app-\(Int.random(in: 0..<customers))"
          }
        })
      }
      for (name, sample) in [("GetCustomer", get), ("ResolveIdentity", resolve)] {
        figures.add("\(name) c=\(concurrency) p50", sample.p50Milliseconds, "ms")
        figures.add("\(name) c=\(concurrency) p99", sample.p99Milliseconds, "ms", under: 25)
        figures.add("\(name) c=\(concurrency) rate", sample.rate, "calls/s")
        failures += sample.failures
      }
    }
    return failures
  }

  /// The first page (50 profiles) of ListCustomers for the main filters.
  static func lists(_ client: Client, calls: Int, figures: inout BenchFigures) async throws -> Int {
    let filters: [(String, Crm_Segmentation_V1_CustomerFilter)] = [
      ("tier=ordinary", .with { $0.tier = "ordinary" }),
      ("tier=high_value", .with { $0.tier = "high_value" }),
      ("stage=active", .with { $0.lifecycleStage = "active" }),
      ("stage=dormant", .with { $0.lifecycleStage = "dormant" }),
      ("tag=price_sensitive", .with { $0.tag = "price_sensitive" }),
      ("account_manager=am-007", .with { $0.accountManager = "am-007" }),
      ("spend >= 50,000 CNY", .with { $0.minTotalSpend = .with {
        $0.amountMinor = 5_000_000
        $0.currency = "CNY"
      } }),
      ("spend 1,000-2,000 CNY", .with {
        $0.minTotalSpend = .with {
          $0.amountMinor = 100_000
          $0.currency = "CNY"
        }
        $0.maxTotalSpend = .with {
          $0.amountMinor = 200_000
          $0.currency = "CNY"
        }
      }),
    ]
    var failures = 0
    for (name, filter) in filters {
      let page = try await client.listCustomers(.with { $0.filter = filter })
      let sample = await LatencySample.measure(count: calls) { _ in
        _ = try await client.listCustomers(.with { $0.filter = filter })
      }
      figures.add("ListCustomers \(name) (\(page.customers.count)) p50", sample.p50Milliseconds, "ms")
      figures.add(
        "ListCustomers \(name) (\(page.customers.count)) p99", sample.p99Milliseconds, "ms",
        under: 100)
      failures += sample.failures
    }
    return failures
  }

  /// One lifecycle (dormancy) scan, with its RFM recompute.
  static func scans(_ client: Client, figures: inout BenchFigures) async throws {
    let started = ContinuousClock.now
    let scan = try await client.runLifecycleScan(.init())
    figures.add("RunLifecycleScan (\(scan.changedCustomers) moved)", secondsSince(started), "s")
  }

  /// Two full re-tiers (a threshold lowered, then restored), each started by UpdateTierRule and
  /// polled until done, while one reader calls GetCustomer and one writer UpdateCustomer.
  static func retiers(
    _ client: Client, customers: Int, timeout: Double, figures: inout BenchFigures
  ) async throws -> Int {
    let rules = try await client.listTierRules(.init()).rules
    guard let original = rules.first(where: { $0.ruleID == "default-high-value" }) ?? rules.last
    else { throw ValidationError("the store has no tier rules to change") }
    var lowered = original
    if case .numberValue(let value)? = original.condition.comparison.value {
      lowered.condition.comparison.numberValue = (value * 0.8).rounded()
    }
    var failures = 0
    for (name, rule) in [("lowered", lowered), ("restored", original)] {
      failures += try await retier(
        client, name: name, rule: rule, customers: customers, timeout: timeout, figures: &figures)
    }
    return failures
  }

  static func retier(
    _ client: Client, name: String, rule: Crm_Segmentation_V1_TierRule, customers: Int,
    timeout: Double, figures: inout BenchFigures
  ) async throws -> Int {
    let reader = BackgroundCallLoop.start { _ in
      _ = try await client.getCustomer(.with {
        $0.customerID = BulkIDs.customer(Int.random(in: 0..<customers))
      })
    }
    let writer = BackgroundCallLoop.start { _ in
      // A write that changes nothing but the update time, through the refresh every write runs.
      _ = try await client.updateCustomer(.with {
        $0.customer = .with {
          $0.customerID = BulkIDs.customer(Int.random(in: 0..<customers))
          $0.timeZone = "Asia/Shanghai"
        }
        $0.updateMask = .with { $0.paths = ["time_zone"] }
      })
    }
    let started = ContinuousClock.now
    let jobID = try await client.updateTierRule(.with { $0.rule = rule }).retierJobID
    var job = Crm_Segmentation_V1_RetierJob()
    while secondsSince(started) < timeout {
      job = try await client.getRetierJob(.with { $0.jobID = jobID }).job
      if job.state != .running { break }
      try await Task.sleep(for: .milliseconds(200))
    }
    let wall = secondsSince(started)
    reader.cancel()
    writer.cancel()
    let reads = await reader.value
    let writes = await writer.value
    guard job.state == .done else {
      throw ValidationError("re-tier \(jobID) (\(name)) is \(job.state) after \(Int(wall)) s: \(job.done)/\(job.total)")
    }
    let server = job.finishTime.date.timeIntervalSince(job.createTime.date)
    figures.add(
      "re-tier \(name): \(job.total) profiles, \(job.changed) changed", server, "s", under: 60)
    figures.add("re-tier \(name) seen by the client", wall, "s")
    figures.add("  GetCustomer during re-tier (\(reads.calls)) p50", reads.p50Milliseconds, "ms")
    figures.add("  GetCustomer during re-tier p99", reads.p99Milliseconds, "ms", under: 100)
    figures.add("  GetCustomer during re-tier max", reads.maxMilliseconds, "ms", under: 1000)
    figures.add("  UpdateCustomer during re-tier (\(writes.calls)) p99", writes.p99Milliseconds, "ms", under: 500)
    figures.add("  UpdateCustomer during re-tier max", writes.maxMilliseconds, "ms", under: 1000)
    return reads.failures + writes.failures
  }
}
