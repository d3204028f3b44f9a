import Contracts
import Foundation
import GRDB
@testable import Interaction
import ServiceKit
import Testing

/// The due list of an owner and the timeline page of a customer stay index range scans (no
/// table scan, no sort), whatever the size of the store.
@Suite("Interaction: due lists and timelines are index lookups")
struct QueryPlanTests {
  func plan(_ sql: String, _ arguments: StatementArguments) throws -> String {
    let database = try StoreOpener.inMemory(migrator: InteractionStore.migrator)
    return try database.read { db in
      try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: arguments)
        .map { $0["detail"] as String }.joined(separator: "\n")
    }
  }

  @Test("an owner's and a customer's due list, first and later pages")
  func dueList() throws {
    for (column, index) in [("owner", "care_task_by_owner_due"), ("customer_id", "care_task_by_customer_due")] {
      for after in [nil, "1767225600000|t-1"] {
        let (sql, arguments) = try InteractionService.taskQuery(
          column: column, key: "k", view: .overdue, now: Date(), after: after, size: 50)
        let detail = try plan(sql, arguments)
        #expect(detail.contains("USING INDEX \(index)"), "\(detail)")
        #expect(!detail.contains("TEMP B-TREE"), "\(detail)")
      }
    }
  }

  @Test("a customer's timeline page, and one thread")
  func timeline() throws {
    for thread in ["", "th-1"] {
      let (sql, arguments) = try InteractionService.timelineQuery(
        customerID: "c1", threadID: thread, after: "1767225600000|i-1", size: 50)
      let detail = try plan(sql, arguments)
      #expect(detail.contains("USING INDEX interaction_by_"), "\(detail)")
      #expect(!detail.contains("TEMP B-TREE"), "\(detail)")
    }
  }

  @Test("the daily scan reads one day's dates from the (month, day) index")
  func dateScanCandidates() throws {
    let detail = try plan(DateScan.candidatesSQL, [3, 15])
    #expect(detail.contains("USING INDEX customer_date_by_day"), "\(detail)")
  }
}
