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
    guard let record = try CustomerRecord.fetchOne(db, key: id) else {
      throw ServiceError.notFound("customer \(id)")
    }
    guard let survivorID = record.mergedInto else {
      if record.erasedAt != nil { throw ServiceError.notFound("customer \(id)") }
      return (record, nil)
    }
    guard let survivor = try CustomerRecord.fetchOne(db, key: survivorID),
      survivor.mergedInto == nil
    else {
      throw ServiceError.internalError("customer \(id) was merged into a profile that is not live")
    }
    // An erased survivor is gone for every id that stood for it.
    if survivor.erasedAt != nil { throw ServiceError.notFound("customer \(id)") }
    return (survivor, id)
  }
}
