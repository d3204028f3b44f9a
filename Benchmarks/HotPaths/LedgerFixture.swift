import Contracts
import Foundation
import GRDB
import Logging
import Loyalty
import ServiceKit

/// A loyalty service over a fresh store (in memory, or a file in a temporary directory with
/// the service's durability: WAL, `synchronous=FULL`), and the earns the benchmark sends it.
final class LedgerFixture {
  enum Storage {
    case memory
    case file
  }

  let storage: Storage
  let groupCommit: Bool
  private(set) var service: LoyaltyService?
  private var pool: DatabasePool?
  private var directory: URL?
  private var earns = 0

  init(storage: Storage, groupCommit: Bool = true) {
    self.storage = storage
    self.groupCommit = groupCommit
  }

  func prepare() throws {
    let database: any DatabaseWriter
    switch storage {
    case .memory:
      database = try StoreOpener.inMemory(migrator: LoyaltyStore.migrator)
    case .file:
      let directory = FileManager.default.temporaryDirectory
        .appendingPathComponent("hotpaths-ledger-\(UUID().uuidString)")
      let pool = try StoreOpener.openPool(
        path: directory.appendingPathComponent("loyalty.sqlite").path,
        migrator: LoyaltyStore.migrator)
      self.directory = directory
      self.pool = pool
      database = pool
    }
    service = LoyaltyService(
      store: LoyaltyStore(database: database), clock: SystemClock(),
      logger: Logger(label: "benchmark"), groupCommit: groupCommit)
    earns = 0
  }

  func tearDown() throws {
    service = nil
    try pool?.close()
    pool = nil
    if let directory { try FileManager.default.removeItem(at: directory) }
    directory = nil
  }

  /// The next earn: an order's points for one of 1,000 customers in turn, each with its own
  /// idempotency key (as the service requires), so the ledger grows as it would in use.
  func nextEarn() -> Crm_Loyalty_V1_EarnPointsRequest {
    earns += 1
    let n = earns
    return .with {
      $0.customerID = String(format: "bulk-%07d", n % 1_000)
      $0.points = Int64(10 + n % 490)
      $0.orderID = "order-\(n)"
      $0.reason = "order order-\(n)"
      $0.idempotencyKey.key = "earn-\(n)"
    }
  }
}
