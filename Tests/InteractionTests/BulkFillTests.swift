import Contracts
import Foundation
import GRDB
import GRPCCore
import Interaction
import ServiceKit
import SwiftProtobuf
import Testing

/// A small store written by the bulk fill reads through the service as the service's own:
/// every open task on its owner's list, every timeline complete, figures equal to the fill's
/// counts, and the daily scan greeting exactly the customers whose date is the local day, the
/// days the fill already greeted included.
@Suite("Interaction: the bulk fill writes a store the service reads as its own")
struct BulkFillTests {
  // 10 March 2026: the greeted window reaches back over 28 February (29 February's day).
  static let asOf = Date(iso: "2026-03-10T10:00:00Z")
  static let plan = InteractionBulkFill.Plan(
    customers: 2_000, interactions: 20_000, openTasks: 3_000, managers: 12, asOf: asOf, seed: 42)

  func filled(_ plan: InteractionBulkFill.Plan = Self.plan) throws -> (DatabaseQueue, InteractionBulkFill.Counts) {
    let database = try StoreOpener.inMemory(migrator: InteractionStore.migrator)
    return (database, try InteractionBulkFill.fill(into: database, plan: plan))
  }

  @Test("every open task is on its owner's due list; overdue flags and totals match the fill")
  func dueLists() async throws {
    // Given a filled store
    let (database, counts) = try filled()
    // The requested count, plus at most a few greetings of the last customers beyond it
    #expect(counts.openTasks >= Self.plan.openTasks && counts.openTasks <= Self.plan.openTasks + Self.plan.openTasks / 100)
    #expect(counts.doneTasks > 0)
    #expect(counts.overdueTasks > 0 && counts.overdueTasks < counts.openTasks)
    try await InteractionHarness.run(clock: ManualClock(start: Self.asOf), database: database) { h in
      // When every owner's open list is paged through
      var open = 0, overdue = 0
      let owners = (0..<Self.plan.managers).map(InteractionBulkFill.managerName) + InteractionBulkFill.roleOwners
      for owner in owners {
        var token = ""
        repeat {
          let page = try await h.client.listTasks(.with {
            $0.owner = owner; $0.view = .open; $0.page = .with { $0.pageSize = 500; $0.pageToken = token }
          })
          #expect(page.tasks.allSatisfy { $0.owner == owner && $0.status == .open })
          #expect(page.tasks.map(\.dueTime.date) == page.tasks.map(\.dueTime.date).sorted())
          open += page.tasks.count
          overdue += page.tasks.filter(\.overdue).count
          token = page.page.nextPageToken
        } while !token.isEmpty
      }
      // Then they hold exactly the fill's open tasks
      #expect(open == counts.openTasks)
      #expect(overdue == counts.overdueTasks)
      #expect(try await database.read { try Int.fetchOne($0, sql: "SELECT count(DISTINCT owner) FROM care_task") } ?? 0 > 3)
    }
  }

  @Test("timelines hold every interaction newest first, threads continue, figures equal the counts")
  func timelines() async throws {
    let (database, counts) = try filled()
    #expect(counts.interactions == Self.plan.interactions)
    try await InteractionHarness.run(clock: ManualClock(start: Self.asOf), database: database) { h in
      // The longest history, paged through
      var times: [Date] = []
      var token = ""
      var thread = ""
      repeat {
        let page = try await h.client.listTimeline(.with {
          $0.customerID = BulkIDs.customer(0); $0.page = .with { $0.pageSize = 500; $0.pageToken = token }
        })
        times += page.interactions.map(\.actualTime.date)
        if thread.isEmpty { thread = page.interactions.first?.threadID ?? "" }
        token = page.page.nextPageToken
      } while !token.isEmpty
      #expect(times.count == InteractionBulkFill.interactionCount(ofCustomer: 0, plan: Self.plan))
      #expect(times == times.sorted(by: >))

      // A touch continuing a filled conversation keeps its thread
      let logged = try await h.client.logInteraction(.with {
        $0.interaction = .with {
          $0.customerID = BulkIDs.customer(0); $0.type = "care_call"; $0.channel = .phone
          $0.threadID = thread
        }
      })
      #expect(logged.interaction.threadID == thread)

      // Figures over the two years count every filled touch and every customer touched
      let figures = try await h.client.getInteractionFigures(.with {
        $0.fromTime = .init(date: Self.asOf.addingTimeInterval(-800 * 86_400))
        $0.toTime = .init(date: Self.asOf)
      })
      let touched = (0..<Self.plan.customers).filter { InteractionBulkFill.interactionCount(ofCustomer: $0, plan: Self.plan) > 0 }
      #expect(figures.overall.interactions == Int64(Self.plan.interactions))
      #expect(figures.overall.customers == Int64(touched.count))
      // On time: filled tasks done by their due time over those done or overdue, recomputed
      let onTime = try await database.read { db in
        try Double.fetchOne(
          db,
          sql: """
            SELECT 1.0 * sum(status = 2 AND completed_at <= due_at) / sum(status = 2 OR (status = 1 AND due_at < ?))
            FROM care_task WHERE due_at >= ? AND due_at < ?
            """, arguments: [Self.asOf, Self.asOf.addingTimeInterval(-800 * 86_400), Self.asOf])
      }
      #expect(figures.overall.onTimeRate > 0 && figures.overall.onTimeRate < 1)
      #expect(abs(figures.overall.onTimeRate - (onTime ?? -1)) < 1e-9)
    }
  }

  @Test("the scan greets exactly the customers whose date is the local day, once; filled days are done")
  func dateScan() async throws {
    let (database, _) = try filled()
    try await InteractionHarness.run(clock: ManualClock(start: Self.asOf), database: database) { h in
      // The days the fill greeted: nothing left to create
      let greeted = try await h.client.runDateScan(.with { $0.scanTime = .init(date: Self.asOf.addingTimeInterval(-3 * 86_400)) })
      #expect(greeted.momentsCreated == 0)
      let leap = try await h.client.runDateScan(.with { $0.scanTime = .init(date: Date(iso: "2026-02-28T12:00:00Z")) })
      #expect(leap.momentsCreated == 0)

      // Today and a day before the window: exactly the recomputed customers, once
      for scanTime in [Self.asOf, Self.asOf.addingTimeInterval(-30 * 86_400)] {
        let expected = try Self.celebrating(database, at: scanTime)
        #expect(expected > 0)
        let first = try await h.client.runDateScan(.with { $0.scanTime = .init(date: scanTime) })
        #expect(first.momentsCreated == Int32(expected))
        #expect(first.tasksCreated == Int32(expected))
        let again = try await h.client.runDateScan(.with { $0.scanTime = .init(date: scanTime) })
        #expect(again.momentsCreated == 0 && again.tasksCreated == 0)
      }

      let future = await rpcFailure {
        _ = try await h.client.runDateScan(.with { $0.scanTime = .init(date: Self.asOf.addingTimeInterval(60)) })
      }
      #expect(future?.code == .invalidArgument)
      #expect(future?.message.hasPrefix("scan_time:") == true)
    }
  }

  @Test("a filled moment recorded again is recognised, and a filled task completes")
  func filledMomentsAndTasks() async throws {
    let (database, _) = try filled()
    let (customer, kind, occurrence, taskIDs) = try await database.read { db in
      let row = try Row.fetchOne(
        db,
        sql: """
          SELECT id, customer_id, kind, occurrence_id FROM moment
          WHERE id = (SELECT moment_id FROM care_task WHERE status = 1 AND moment_kind = 'service_completed' LIMIT 1)
          """)!
      let tasks = try String.fetchAll(
        db, sql: "SELECT id FROM care_task WHERE moment_id = ? AND status = 1 ORDER BY planned_at, id", arguments: [row["id"] as String])
      return (row["customer_id"] as String, row["kind"] as String, row["occurrence_id"] as String, tasks)
    }
    try await InteractionHarness.run(clock: ManualClock(start: Self.asOf), database: database) { h in
      let again = try await h.client.recordMoment(.with {
        $0.customerID = customer; $0.kind = kind; $0.occurrenceID = occurrence
      })
      #expect(again.alreadyRecorded)
      #expect(again.tasks.filter { $0.status == .open }.map(\.taskID) == taskIDs)
      let done = try await h.client.completeTask(.with { $0.taskID = taskIDs[0] })
      #expect(done.task.status == .done)
    }
  }

  @Test("the same seed writes the same store; a store with rows is refused")
  func deterministic() throws {
    let small = InteractionBulkFill.Plan(customers: 150, interactions: 900, openTasks: 200, managers: 5, asOf: Self.asOf, seed: 9)
    let (first, _) = try filled(small)
    let (second, _) = try filled(small)
    for table in ["customer_copy", "customer_date", "opt_out", "interaction", "moment", "care_task"] {
      let dump = { (database: DatabaseQueue) in
        try database.read { db in try Row.fetchAll(db, sql: "SELECT * FROM \(table) ORDER BY rowid").map(\.description) }
      }
      #expect(try dump(first) == dump(second), "\(table)")
    }
    #expect(throws: BulkFillError.self) { try InteractionBulkFill.fill(into: first, plan: small) }
  }

  /// The customers whose birthday or anniversary is the local day of `time`, recomputed from
  /// the stored dates and copies with a calendar of their own.
  static func celebrating(_ database: DatabaseQueue, at time: Date) throws -> Int {
    let rows = try database.read { db in
      try Row.fetchAll(db, sql: "SELECT d.month, d.day, c.time_zone FROM customer_date d JOIN customer_copy c USING (customer_id)")
    }
    return rows.filter { row in
      var calendar = Calendar(identifier: .gregorian)
      calendar.timeZone = TimeZone(identifier: row["time_zone"])!
      let local = calendar.dateComponents([.year, .month, .day], from: time)
      let month: Int = row["month"], day: Int = row["day"]
      let leap = local.year! % 4 == 0 && (local.year! % 100 != 0 || local.year! % 400 == 0)
      return (local.month == month && local.day == day) || (!leap && month == 2 && day == 29 && local.month == 2 && local.day == 28)
    }.count
  }
}
