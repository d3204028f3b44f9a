import Foundation
import GRDB
import ServiceKit

/// Finds the live profile an id stands for: a merged id stands for its survivor.
enum CustomerLookup {
  /// The live profile for `id`, and the id asked for when it was merged (nil otherwise).
  ///
  /// One hop is enough: a merge repoints every profile merged into the one it folds away, so a
  /// merged profile always points at a live one.
  static func live(_ db: Database, id: String) throws -> (
    record: CustomerRecord, mergedFrom: String?
  ) {
    guard let record = try fetch(db, id: id) else {
      throw ServiceError.notFound("customer \(FieldValidation.quoted(id))")
    }
    guard let survivorID = record.mergedInto else {
      if record.erasedAt != nil { throw ServiceError.notFound("customer \(FieldValidation.quoted(id))") }
      return (record, nil)
    }
    guard let survivor = try fetch(db, id: survivorID),
      survivor.mergedInto == nil
    else {
      throw ServiceError.internalError("customer \(id) was merged into a profile that is not live")
    }
    // An erased survivor is gone for every id that stood for it.
    if survivor.erasedAt != nil { throw ServiceError.notFound("customer \(FieldValidation.quoted(id))") }
    return (survivor, id)
  }

  /// One profile row by id, through a cached statement: every read of a profile starts here,
  /// and generating and compiling the query each time cost more than running it.
  static func fetch(_ db: Database, id: String) throws -> CustomerRecord? {
    try CustomerRecord.fetchOne(
      db.cachedStatement(sql: "SELECT * FROM customer WHERE id = ?"), arguments: [id])
  }
}
