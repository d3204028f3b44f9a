import Contracts
import Foundation
import GRDB
import GRPCCore
import ServiceKit

extension InteractionService {
  public func setCustomerDates(
    request: Crm_Interaction_V1_SetCustomerDatesRequest,
    context: ServerContext
  ) async throws -> Crm_Interaction_V1_SetCustomerDatesResponse {
    try FieldValidation.requireID(request.customerID, field: "customer_id")
    try FieldValidation.timeZone(request.timeZone, field: "time_zone")
    var rows: [CustomerDateRecord] = []
    for (kind, has, date) in [
      ("birthday", request.hasBirthday, request.birthday), ("anniversary", request.hasAnniversary, request.anniversary),
    ] where has {
      try FieldValidation.require(date.month, in: 1...12, field: "\(kind).month")
      let longest = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][Int(date.month) - 1]
      try FieldValidation.require(date.day, in: 1...Int32(longest), field: "\(kind).day")
      if date.year != 0 { try FieldValidation.require(date.year, in: 1850...2200, field: "\(kind).year") }
      rows.append(
        CustomerDateRecord(
          customerID: request.customerID, kind: kind, month: Int(date.month), day: Int(date.day),
          year: Int(date.year), timeZone: request.timeZone))
    }
    try await store.database.write { [rows] db in
      try CustomerDateRecord.filter(Column("customer_id") == request.customerID).deleteAll(db)
      for row in rows { try row.insert(db) }
    }
    return .init()
  }

  public func runDateScan(
    request: Crm_Interaction_V1_RunDateScanRequest,
    context: ServerContext
  ) async throws -> Crm_Interaction_V1_RunDateScanResponse {
    let now = clock.now()
    var scanTime = now
    if request.hasScanTime {
      scanTime = request.scanTime.date
      // Greetings are sent on the day, never ahead of it.
      guard scanTime <= now else {
        throw ServiceError.invalidArgument(field: "scan_time", reason: "must not be in the future")
      }
    }
    let created = try await DateScan.run(store.database, at: scanTime, now: now)
    return .with {
      $0.momentsCreated = Int32(created.moments)
      $0.tasksCreated = Int32(created.tasks)
    }
  }
}
