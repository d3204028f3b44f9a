import Foundation
import GRDB
import ServiceKit

/// Folds one profile into another inside the caller's transaction: either all of it happens
/// or, on a thrown error, none of it.
enum CustomerMerge {
  static func merge(_ db: Database, survivorID: String, mergedID: String, now: Date) throws
    -> CustomerRecord
  {
    if survivorID == mergedID {
      throw ServiceError.failedPrecondition("a customer cannot be merged into itself")
    }
    guard var survivor = try CustomerRecord.fetchOne(db, key: survivorID) else {
      throw ServiceError.notFound("customer \(FieldValidation.quoted(survivorID))")
    }
    guard var merged = try CustomerRecord.fetchOne(db, key: mergedID) else {
      throw ServiceError.notFound("customer \(FieldValidation.quoted(mergedID))")
    }
    // An already merged id stands for its survivor everywhere else, but merging it again
    // would hide which profile the caller meant: refuse instead of guessing.
    if let target = survivor.mergedInto {
      throw ServiceError.failedPrecondition(
        "customer \(survivorID) was already merged into \(target)")
    }
    if let target = merged.mergedInto {
      throw ServiceError.failedPrecondition(
        "customer \(mergedID) was already merged into \(target)")
    }
    if !survivor.currency.isEmpty, !merged.currency.isEmpty, survivor.currency != merged.currency {
      throw ServiceError.failedPrecondition(
        "the customers' figures are kept in different currencies (\(survivor.currency), \(merged.currency))"
      )
    }

    let moves: [(sql: String, arguments: StatementArguments)] = [
      (
        "UPDATE customer_identity SET customer_id = ? WHERE customer_id = ?",
        [survivorID, mergedID]
      ),
      ("UPDATE purchase SET customer_id = ? WHERE customer_id = ?", [survivorID, mergedID]),
      ("UPDATE activity SET customer_id = ? WHERE customer_id = ?", [survivorID, mergedID]),
      ("UPDATE profile_change SET customer_id = ? WHERE customer_id = ?", [survivorID, mergedID]),
      (
        "INSERT OR IGNORE INTO customer_tag (customer_id, tag, rule_id) SELECT ?, tag, rule_id FROM customer_tag WHERE customer_id = ?",
        [survivorID, mergedID]
      ),
      ("DELETE FROM customer_tag WHERE customer_id = ?", [mergedID]),
      (
        """
        INSERT INTO customer_category_spend (customer_id, category, spend_minor)
        SELECT ?, category, spend_minor FROM customer_category_spend WHERE customer_id = ? AND true
        ON CONFLICT (customer_id, category) DO UPDATE SET spend_minor = spend_minor + excluded.spend_minor
        """,
        [survivorID, mergedID]
      ),
      ("DELETE FROM customer_category_spend WHERE customer_id = ?", [mergedID]),
      // Profiles merged into the merged one earlier now point at the survivor: one hop.
      ("UPDATE customer SET merged_into = ? WHERE merged_into = ?", [survivorID, mergedID]),
    ]
    for move in moves {
      try db.execute(sql: move.sql, arguments: move.arguments)
    }

    if survivor.currency.isEmpty { survivor.currency = merged.currency }
    survivor.totalSpendMinor += merged.totalSpendMinor
    survivor.totalMarginMinor += merged.totalMarginMinor
    survivor.purchaseCount += merged.purchaseCount
    survivor.firstPurchaseAt = [survivor.firstPurchaseAt, merged.firstPurchaseAt].compactMap { $0 }
      .min()
    survivor.lastPurchaseAt = [survivor.lastPurchaseAt, merged.lastPurchaseAt].compactMap { $0 }
      .max()
    survivor.lastActivityAt = [survivor.lastActivityAt, merged.lastActivityAt].compactMap { $0 }
      .max()
    survivor.preferredCategories = try CategoryRanking.current(db, customerID: survivorID)
    survivor.updatedAt = now
    try survivor.update(db)

    // The merged row stays as the redirect; its figures moved, so it holds none.
    merged.currency = ""
    merged.totalSpendMinor = 0
    merged.totalMarginMinor = 0
    merged.purchaseCount = 0
    merged.firstPurchaseAt = nil
    merged.lastPurchaseAt = nil
    merged.preferredCategories = "[]"
    merged.mergedInto = survivorID
    merged.mergedAt = now
    // A redirect has no stage of its own: the scan never looks at it again.
    merged.stageDeadlineAt = nil
    merged.updatedAt = now
    try merged.update(db)
    return survivor
  }
}
