import Contracts
import Foundation
import GRDB
import GRPCCore
import SwiftProtobuf

/// `crm.ops.v1.AuditLog`: pages the service's audit trail, newest first.
///
/// The page token is keyset on `seq` (the last record served), so records appended while a
/// caller pages never shift or repeat what it sees.
public struct AuditLogService: Crm_Ops_V1_AuditLog.SimpleServiceProtocol {
  private let database: any DatabaseReader
  private let limits: PageLimits

  /// Creates the service over the store holding `audit_record`.
  public init(database: any DatabaseReader, limits: PageLimits = PageLimits()) {
    self.database = database
    self.limits = limits
  }

  public func listAuditRecords(
    request: Crm_Ops_V1_ListAuditRecordsRequest,
    context: ServerContext
  ) async throws -> Crm_Ops_V1_ListAuditRecordsResponse {
    try FieldValidation.limitText(request.method, field: "method", maxLength: 256)
    try FieldValidation.limitText(request.identity, field: "identity", maxLength: 256)
    let size = try limits.size(of: request.page)
    // The filters are part of the listing, so a token is only good for the filters it came from;
    // lengths first, so no choice of text can make two filter pairs spell the same listing.
    let listing = "audit:\(request.method.utf8.count):\(request.method)|\(request.identity)"
    let beforeSeq = try PageCursor.decode(request.page, listing: listing).map { text in
      guard let seq = Int64(text) else {
        throw ServiceError.invalidArgument(
          field: "page.page_token", reason: "is not a token this service issued")
      }
      return seq
    }

    let (method, identity) = (request.method, request.identity)
    let rows = try await database.read { db in
      try AuditTrail.page(
        db, method: method, identity: identity, beforeSeq: beforeSeq, limit: size + 1)
    }
    let page = rows.prefix(size)
    return .with {
      $0.records = page.map(\.message)
      $0.page.nextPageToken = PageCursor.token(
        listing: listing, after: page.last?.seq.map(String.init), hasMore: rows.count > size)
    }
  }
}

extension AuditRecord {
  /// The record as the API shows it.
  var message: Crm_Ops_V1_AuditRecord {
    .with {
      $0.seq = seq ?? 0
      $0.time = Google_Protobuf_Timestamp(storeDate: recordedAt)
      $0.identity = identity
      $0.method = method
      $0.targetID = targetID
      $0.requestID = requestID
      $0.outcome = outcome
      $0.detail = detail ?? ""
    }
  }
}
