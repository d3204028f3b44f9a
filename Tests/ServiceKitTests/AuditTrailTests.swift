import Contracts
import Foundation
import GRDB
import GRPCCore
import Logging
import ServiceKit
import ServiceKitTesting
import SwiftProtobuf
import Synchronization
import Testing

/// A store holding only the audit trail, a recorder on a manual clock, and the listing service.
private struct AuditHarness {
  let database: DatabaseQueue
  let clock = ManualClock()
  let recorder: AuditRecorder

  init(logger: Logger = quietLogger) throws {
    var migrator = DatabaseMigrator()
    AuditTrail.registerMigrations(&migrator)
    database = try StoreOpener.inMemory(migrator: migrator)
    recorder = AuditRecorder(database: database, clock: clock, logger: logger)
  }

  /// Records `count` entries, one second apart, cycling through the given methods and identities.
  func record(
    _ count: Int, methods: [String] = ["crm.ops.v1.StoreAdmin/BackupStore"],
    identities: [String] = ["token:alice"]
  ) async {
    for n in 0..<count {
      clock.advance(by: 1)
      await recorder.record(
        AuditEntry(
          identity: identities[n % identities.count], method: methods[n % methods.count],
          targetID: "t-\(n)", requestID: "r-\(n)", outcome: "ok"))
    }
  }

  func count() throws -> Int {
    try database.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM audit_record") ?? -1 }
  }

  /// Runs `body` with a client of the listing service on an in-process transport.
  func withAuditLog<Result: Sendable>(
    _ body: (any Crm_Ops_V1_AuditLog.ClientProtocol) async throws -> Result
  ) async throws -> Result {
    try await withInProcessServer([AuditLogService(database: database)], logger: quietLogger) { client in
      try await body(Crm_Ops_V1_AuditLog.Client(wrapping: client))
    }
  }
}

/// Thousands of records are appended here: keep their log lines out of the test output.
private let quietLogger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

/// Every page of a listing, following the tokens to the end.
private func allPages(
  _ log: any Crm_Ops_V1_AuditLog.ClientProtocol,
  method: String = "", identity: String = "", pageSize: Int32
) async throws -> [[Crm_Ops_V1_AuditRecord]] {
  var pages: [[Crm_Ops_V1_AuditRecord]] = []
  var token = ""
  repeat {
    let response = try await log.listAuditRecords(
      .with {
        $0.method = method
        $0.identity = identity
        $0.page.pageSize = pageSize
        $0.page.pageToken = token
      })
    pages.append(response.records)
    token = response.page.nextPageToken
  } while !token.isEmpty && pages.count < 100
  return pages
}

@Suite("Audit trail: append-only records of privileged calls, paged newest first")
struct AuditTrailTests {
  @Test("a recorded entry is listed with every field, stamped by the recorder's clock")
  func recordedEntryIsListed() async throws {
    let h = try AuditHarness()
    // Given one entry without a time and one with its own time
    await h.recorder.record(
      AuditEntry(
        identity: "token:alice", method: "crm.trust.v1.TrustService/AdvanceClaim", targetID: "cl-1",
        requestID: "req-1", outcome: AuditEntry.outcome(of: nil)))
    let own = Date(timeIntervalSince1970: 1_800_000_000.25)
    await h.recorder.record(
      AuditEntry(
        identity: "certificate:ops", method: "crm.ops.v1.StoreAdmin/BackupStore", targetID: "",
        requestID: "req-2", outcome: AuditEntry.outcome(of: .permissionDenied),
        detail: "requires permission loyalty.operate", time: own))

    // When the trail is listed
    let records = try await h.withAuditLog { try await $0.listAuditRecords(.init()) }

    // Then both are there, newest first, with every field as recorded
    #expect(records.records.map(\.requestID) == ["req-2", "req-1"])
    #expect(records.page.nextPageToken.isEmpty)
    let (second, first) = (records.records[0], records.records[1])
    #expect(second.seq > first.seq)
    #expect(first.identity == "token:alice")
    #expect(first.method == "crm.trust.v1.TrustService/AdvanceClaim")
    #expect(first.targetID == "cl-1")
    #expect(first.outcome == "ok")
    #expect(first.detail.isEmpty)
    #expect(first.time.date == h.clock.now())
    #expect(second.outcome == "permissionDenied")
    #expect(second.detail == "requires permission loyalty.operate")
    #expect(second.time.date == own)
  }

  @Test("pages cover every record once, newest first, and records appended meanwhile do not shift them")
  func pagingAcrossPages() async throws {
    let h = try AuditHarness()
    // Given seven records
    await h.record(7)

    try await h.withAuditLog { log in
      // When they are read three at a time, and two more are appended after the first page
      let first = try await log.listAuditRecords(.with { $0.page.pageSize = 3 })
      await h.record(2)
      var rest: [[Crm_Ops_V1_AuditRecord]] = []
      var token = first.page.nextPageToken
      while !token.isEmpty {
        let page = try await log.listAuditRecords(
          .with {
            $0.page.pageSize = 3
            $0.page.pageToken = token
          })
        rest.append(page.records)
        token = page.page.nextPageToken
      }

      // Then the pages hold 3, 3 and 1 of the original seven, strictly newest first
      #expect([first.records.count] + rest.map(\.count) == [3, 3, 1])
      let seqs = (first.records + rest.flatMap { $0 }).map(\.seq)
      #expect(seqs == [7, 6, 5, 4, 3, 2, 1] as [Int64])
      // And a fresh listing starts with the two appended since
      let fresh = try await log.listAuditRecords(.with { $0.page.pageSize = 2 })
      #expect(fresh.records.map(\.seq) == [9, 8])
    }
  }

  @Test("page size 0 is 50 and a larger size is clamped to 500")
  func pageSizeDefaults() async throws {
    let h = try AuditHarness()
    // Given 501 records
    await h.record(501)
    try await h.withAuditLog { log in
      // When listed with no size, then with 1,000
      let byDefault = try await log.listAuditRecords(.init())
      let clamped = try await log.listAuditRecords(.with { $0.page.pageSize = 1_000 })
      // Then 50 and 500 come back, each with a token for more
      #expect(byDefault.records.count == 50)
      #expect(!byDefault.page.nextPageToken.isEmpty)
      #expect(clamped.records.count == 500)
      #expect(!clamped.page.nextPageToken.isEmpty)
    }
  }

  @Test("filters by method, by identity, or both, across pages")
  func filters() async throws {
    let h = try AuditHarness()
    // Given twelve records over three methods and two callers
    let methods = [
      "crm.ops.v1.StoreAdmin/BackupStore", "crm.segmentation.v1.SegmentationService/EraseCustomer",
      "crm.loyalty.v1.LoyaltyService/AdjustPoints",
    ]
    await h.record(12, methods: methods, identities: ["token:alice", "token:bob"])

    try await h.withAuditLog { log in
      // When filtered
      let erase = try await allPages(log, method: methods[1], pageSize: 2).flatMap { $0 }
      let bob = try await allPages(log, identity: "token:bob", pageSize: 4).flatMap { $0 }
      let both = try await allPages(log, method: methods[0], identity: "token:bob", pageSize: 1).flatMap { $0 }
      let none = try await allPages(log, method: "crm.ops.v1.StoreAdmin/Nothing", pageSize: 5)

      // Then only matching records come back, newest first
      #expect(erase.map(\.targetID) == ["t-10", "t-7", "t-4", "t-1"])
      #expect(erase.allSatisfy { $0.method == methods[1] })
      #expect(bob.map(\.targetID) == ["t-11", "t-9", "t-7", "t-5", "t-3", "t-1"])
      #expect(both.map(\.targetID) == ["t-9", "t-3"])
      #expect(none == [[]])
    }
  }

  static let invalidCases: [(String, Crm_Ops_V1_ListAuditRecordsRequest)] = [
    ("page.page_size", .with { $0.page.pageSize = -1 }),
    ("page.page_token", .with { $0.page.pageToken = "not-a-token" }),
    // A token of this listing whose key is not a sequence number.
    ("page.page_token", .with { $0.page.pageToken = PageCursor.token(listing: "audit:0:|", after: "x", hasMore: true) }),
    // A token of another listing.
    ("page.page_token", .with { $0.page.pageToken = PageCursor.token(listing: "timeline:c1:", after: "1", hasMore: true) }),
    ("method", .with { $0.method = String(repeating: "m", count: 257) }),
    ("identity", .with { $0.identity = String(repeating: "i", count: 257) }),
  ]

  @Test("a bad page size, a foreign token or over-long filters are INVALID_ARGUMENT", arguments: invalidCases)
  func invalidRequests(field: String, request: Crm_Ops_V1_ListAuditRecordsRequest) async throws {
    let h = try AuditHarness()
    await h.record(1)
    try await h.withAuditLog { log in
      // When the request is sent, then it is refused naming the field
      let error = await #expect(throws: RPCError.self) { try await log.listAuditRecords(request) }
      #expect(error?.code == .invalidArgument)
      #expect(error?.message.hasPrefix(field + ":") == true, "\(error?.message ?? "")")
    }
  }

  @Test("a token issued for one filter is refused for another")
  func tokenBoundToFilters() async throws {
    let h = try AuditHarness()
    await h.record(4, identities: ["token:alice", "token:bob"])
    try await h.withAuditLog { log in
      // Given a token of alice's listing
      let alice = try await log.listAuditRecords(
        .with {
          $0.identity = "token:alice"
          $0.page.pageSize = 1
        })
      // When it is sent with bob's filter, then it is refused
      let error = await #expect(throws: RPCError.self) {
        try await log.listAuditRecords(
          .with {
            $0.identity = "token:bob"
            $0.page.pageToken = alice.page.nextPageToken
          })
      }
      #expect(error?.code == .invalidArgument)
    }
  }

  @Test(
    "the store refuses to update or delete a record",
    arguments: [
      "UPDATE audit_record SET outcome = 'ok'",
      "UPDATE audit_record SET identity = 'someone-else' WHERE seq = 1",
      "DELETE FROM audit_record WHERE seq = 1",
      "DELETE FROM audit_record",
    ])
  func appendOnly(statement: String) async throws {
    // Given two records
    let h = try AuditHarness()
    await h.recorder.record(
      AuditEntry(identity: "token:alice", method: "m", targetID: "t", requestID: "r", outcome: "permissionDenied"))
    await h.record(1)
    let before = try h.database.read { try Row.fetchAll($0, sql: "SELECT * FROM audit_record ORDER BY seq") }

    // When a statement tries to change or remove them
    let error = #expect(throws: DatabaseError.self) { try h.database.write { try $0.execute(sql: statement) } }

    // Then the store aborts it and the records are as they were
    #expect(error?.message?.contains("append-only") == true, "\(String(describing: error))")
    let after = try h.database.read { try Row.fetchAll($0, sql: "SELECT * FROM audit_record ORDER BY seq") }
    #expect(after == before)
    #expect(after.count == 2)
  }

  @Test("recording never throws: a store that cannot take the record gets an error log line")
  func failedWriteIsLogged() async throws {
    // Given a recorder over a store without the audit table
    let lines = CapturedLog()
    let database = try StoreOpener.inMemory(migrator: DatabaseMigrator())
    let recorder = AuditRecorder(
      database: database, clock: ManualClock(), logger: Logger(label: "audit") { _ in lines })

    // When an entry is recorded
    await recorder.record(
      AuditEntry(identity: "token:alice", method: "m/M", targetID: "c1", requestID: "r1", outcome: "ok"))

    // Then the failure is logged at error level with what was lost, and nothing was thrown
    let errors = lines.entries.filter { $0.level == .error }
    #expect(errors.count == 1)
    #expect(errors.first?.metadata["audit-method"] == "m/M")
    #expect(errors.first?.metadata["audit-request-id"] == "r1")
  }

  @Test("a recorded entry is logged at info with its sequence number")
  func recordIsLogged() async throws {
    let lines = CapturedLog()
    let h = try AuditHarness(logger: Logger(label: "audit") { _ in lines })
    // When an entry is recorded
    await h.record(1)
    // Then one info line names it, and the store holds it
    let info = lines.entries.filter { $0.level == .info }
    #expect(info.count == 1)
    #expect(info.first?.metadata["audit-seq"] == "1")
    #expect(try h.count() == 1)
  }

  @Test("over-long fields are cut, not refused: the record is never lost")
  func longFieldsAreCut() async throws {
    let h = try AuditHarness()
    await h.recorder.record(
      AuditEntry(
        identity: String(repeating: "i", count: 1_000), method: "m", targetID: String(repeating: "t", count: 500),
        requestID: "r", outcome: "ok", detail: String(repeating: "d", count: 5_000)))
    let record = try await h.withAuditLog { try await $0.listAuditRecords(.init()).records.first }
    #expect(record?.identity.count == 256)
    #expect(record?.targetID.count == 128)
    #expect(record?.detail.count == 1_024)
  }
}

@Suite("Audit trail: the target id of a request")
struct AuditTargetTests {
  static let cases: [(String, any SwiftProtobuf.Message, String)] = [
    (
      "claim id",
      Crm_Trust_V1_AdvanceClaimRequest.with {
        $0.claimID = "cl-7"
        $0.note = "ok"
        $0.idempotencyKey.key = "k-1"
      }, "cl-7"
    ),
    (
      "the first of several, in field order",
      Crm_Trust_V1_FileClaimRequest.with {
        $0.customerID = "c-1"
        $0.guaranteeID = "g-1"
        $0.orderID = "o-1"
      }, "c-1"
    ),
    (
      "an unset id is skipped",
      Crm_Trust_V1_FileClaimRequest.with {
        $0.guaranteeID = "g-1"
        $0.orderID = "o-1"
      }, "g-1"
    ),
    (
      "nested when the request has none of its own",
      Crm_Trust_V1_CreateReviewRequest.with {
        $0.review.customerID = "c-9"
        $0.review.productID = "p-1"
        $0.idempotencyKey.key = "k-2"
      }, "c-9"
    ),
    (
      "an own field after a nested message still wins",
      Crm_Segmentation_V1_GetCustomerResponse.with {
        $0.customer.customerID = "deep"
        $0.mergedCustomerID = "shallow"
      }, "shallow"
    ),
    (
      "inside a repeated field",
      Crm_Ops_V1_ListAuditRecordsResponse.with {
        $0.records = [
          .with {
            $0.targetID = "t-1"
            $0.requestID = "r-1"
          }
        ]
      }, "t-1"
    ),
    // A number is taken as its JSON text (a Struct's numbers are doubles).
    ("a number", Google_Protobuf_Struct(fields: ["pointsId": Google_Protobuf_Value(numberValue: 42)]), "42.0"),
    ("escapes decoded", Crm_Trust_V1_GetClaimRequest.with { $0.claimID = "a\"b\\c/\u{e9}\u{1F600}\n\u{01}" }, "a\"b\\c/\u{e9}\u{1F600}\n\u{01}"),
    (
      "cut to 128", Crm_Trust_V1_GetClaimRequest.with { $0.claimID = String(repeating: "x", count: 300) },
      String(repeating: "x", count: 128)
    ),
    ("none", Crm_Ops_V1_BackupStoreRequest.with { $0.name = "nightly" }, ""),
    ("empty request", Crm_Ops_V1_ListAuditRecordsRequest(), ""),
  ]

  @Test("the first ...Id field, the request's own before nested ones, in field order", arguments: cases)
  func targetID(_ name: String, message: any SwiftProtobuf.Message, expected: String) {
    // When the target is read off the request, then it is the expected id
    #expect(AuditRecorder.targetID(of: message) == expected, "\(name)")
  }
}

/// A log handler keeping every line, for checking what was logged.
private final class CapturedLog: LogHandler, Sendable {
  struct Entry: Sendable {
    var level: Logger.Level
    var message: String
    var metadata: [String: String]
  }

  private let lines = Mutex<[Entry]>([])
  var entries: [Entry] { lines.withLock { $0 } }

  var metadata: Logger.Metadata {
    get { [:] }
    set {}
  }
  var logLevel: Logger.Level {
    get { .trace }
    set {}
  }
  subscript(metadataKey key: String) -> Logger.Metadata.Value? {
    get { nil }
    set {}
  }

  func log(event: LogEvent) {
    let entry = Entry(
      level: event.level, message: "\(event.message)",
      metadata: (event.metadata ?? [:]).mapValues { "\($0)" })
    lines.withLock { $0.append(entry) }
  }
}
