import Contracts
import Foundation
import GRDB
import ServiceKit

/// What interaction knows of a customer when it plans, caps or renders: read from
/// segmentation when it answers, else the last copy kept here, else nothing (the defaults).
struct CustomerFacts: Sendable, Hashable {
  var customerID: String
  var displayName = ""
  var tier = ""
  var lifecycleStage = ""
  var timeZone = ""
  var accountManager = ""
  var tags: [String] = []
  var source: Crm_Interaction_V1_TierSource = .default
  /// True when these came from segmentation just now and should refresh the local copy.
  var isFresh = false

  /// The customer's zone; UTC when none is known or the name is not one.
  var zone: TimeZone { TimeZone(identifier: timeZone) ?? TimeZone(identifier: "UTC")! }

  /// Nothing known: the default plan and policies, UTC.
  static func unknown(_ customerID: String) -> CustomerFacts { CustomerFacts(customerID: customerID) }

  init(customerID: String) { self.customerID = customerID }

  init(profile: Crm_Segmentation_V1_Customer, asked customerID: String, stale: Bool) {
    self.customerID = customerID
    displayName = profile.displayName
    tier = profile.tier
    lifecycleStage = profile.lifecycleStage
    timeZone = profile.timeZone
    accountManager = profile.accountManager
    tags = profile.tags
    source = stale ? .staleCopy : .segmentation
    isFresh = !stale
  }

  init(copy: CustomerCopyRecord) {
    customerID = copy.customerID
    displayName = copy.displayName
    tier = copy.tier
    lifecycleStage = copy.lifecycleStage
    timeZone = copy.timeZone
    accountManager = copy.accountManager
    tags = (try? JSONDecoder().decode([String].self, from: Data(copy.tags.utf8))) ?? []
    source = .staleCopy
  }

  /// The local copy of `customerID`, or nothing known.
  static func local(_ db: Database, customerID: String) throws -> CustomerFacts {
    try CustomerCopyRecord.fetchOne(
      db.cachedStatement(sql: "SELECT * FROM customer_copy WHERE customer_id = ?"), arguments: [customerID]
    ).map(CustomerFacts.init(copy:)) ?? .unknown(customerID)
  }

  /// Keeps these facts as the local copy (only facts read from segmentation or an event).
  func save(_ db: Database, now: Date) throws {
    let tagsJSON = String(decoding: (try? JSONEncoder().encode(tags)) ?? Data("[]".utf8), as: UTF8.self)
    try CustomerCopyRecord(
      customerID: customerID, displayName: displayName, tier: tier, lifecycleStage: lifecycleStage,
      timeZone: timeZone, accountManager: accountManager, tags: tagsJSON, updatedAt: now
    ).save(db)
  }
}

extension InteractionService {
  /// The facts of `customerID`: segmentation first (NOT_FOUND passes through), then the
  /// last copy seen, then the defaults. Never waits longer than the directory's deadline.
  func customerFacts(_ customerID: String) async throws -> CustomerFacts {
    if let directory {
      do {
        let snapshot = try await directory.customer(customerID)
        return CustomerFacts(profile: snapshot.customer, asked: customerID, stale: snapshot.isStale)
      } catch let error as ServiceError {
        guard case .unavailable(let message) = error else { throw error }
        logger.warning("segmentation unavailable; using the local copy", metadata: ["customer-id": "\(customerID)", "error": "\(message)"])
      }
    }
    return try await store.database.read { db in try CustomerFacts.local(db, customerID: customerID) }
  }
}
