import Contracts
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import ServiceKit
import ServiceKitTesting
import Testing

@Suite("Audit trail over HTTP/2", .serialized, .timeLimit(.minutes(3)))
struct AuditLogTests {
  @Test("every service keeps an audit trail in its own store and serves ListAuditRecords", arguments: SuiteService.allCases)
  func everyServiceServesTheTrail(service: SuiteService) async throws {
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    // Given a fresh service
    let process = try await ServiceProcess(service.executableName, dataDirectory: directory)

    // When its trail is listed before any privileged call
    let first = try await process.withClient { client in
      try await Crm_Ops_V1_AuditLog.Client(wrapping: client).listAuditRecords(.with { $0.page.pageSize = 10 })
    }

    // Then the call works (the table exists in this service's store) and nothing is there yet
    #expect(first.records.isEmpty)
    #expect(first.page.nextPageToken.isEmpty)
    #expect(await process.terminate() == 0, "\(process.log)")
  }

  @Test("a backup, a refused backup and a manual points credit are recorded, newest first, and kept across a restart")
  func privilegedCallsAreRecorded() async throws {
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let process = try await ServiceProcess("loyalty-service", dataDirectory: directory)

    // Given three privileged calls, each under a known request id
    try await process.withClient { client in
      let admin = Crm_Ops_V1_StoreAdmin.Client(wrapping: client)
      let loyalty = Crm_Loyalty_V1_LoyaltyService.Client(wrapping: client)
      _ = try await admin.backupStore(.with { $0.name = "nightly" }, metadata: ["x-request-id": "audit-it-1"])
      let refused = await #expect(throws: RPCError.self) {
        try await admin.backupStore(.with { $0.name = "../escape" }, metadata: ["x-request-id": "audit-it-2"])
      }
      #expect(refused?.code == .invalidArgument)
      _ = try await loyalty.earnPoints(
        .with {
          $0.customerID = "c-audit"
          $0.points = 5
          $0.idempotencyKey.key = "audit-it-earn"
        }, metadata: ["x-request-id": "audit-it-3"])
    }

    // When the trail is read after a restart, page by page, and filtered by method
    #expect(await process.terminate() == 0, "\(process.log)")
    let restarted = try await ServiceProcess("loyalty-service", dataDirectory: directory)
    let (records, backups) = try await restarted.withClient { client in
      let log = Crm_Ops_V1_AuditLog.Client(wrapping: client)
      var records: [Crm_Ops_V1_AuditRecord] = []
      var token = ""
      repeat {
        let page = try await log.listAuditRecords(
          .with {
            $0.page.pageSize = 2
            $0.page.pageToken = token
          })
        records += page.records
        token = page.page.nextPageToken
      } while !token.isEmpty
      let backups = try await log.listAuditRecords(.with { $0.method = "crm.ops.v1.StoreAdmin/BackupStore" })
      return (records, backups.records)
    }

    // Then each call is there once, newest first, with who, what, which target and how it ended
    let ours = records.filter { $0.requestID.hasPrefix("audit-it-") }
    #expect(ours.map(\.requestID) == ["audit-it-3", "audit-it-2", "audit-it-1"])
    #expect(ours.map(\.method) == [
      "crm.loyalty.v1.LoyaltyService/EarnPoints", "crm.ops.v1.StoreAdmin/BackupStore",
      "crm.ops.v1.StoreAdmin/BackupStore",
    ])
    #expect(ours.map(\.outcome) == ["ok", "invalidArgument", "ok"])
    #expect(ours.map(\.targetID) == ["c-audit", "", ""])
    #expect(ours.allSatisfy { !$0.identity.isEmpty && $0.time.seconds > 0 })
    #expect(records.map(\.seq) == records.map(\.seq).sorted(by: >), "newest first across pages")
    #expect(backups.map(\.requestID) == ["audit-it-2", "audit-it-1"])
    #expect(await restarted.terminate() == 0, "\(restarted.log)")
  }
}
