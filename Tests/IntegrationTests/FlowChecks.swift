import Contracts
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import ServiceKit
import ServiceKitTesting

/// Polls `read` until `done` holds or `timeout` passes; returns the last value read. Flows are
/// asynchronous (outbox, relay, backoff), so a test waits for the outcome, bounded in time.
func eventually<Value: Sendable>(
  timeout: Duration = .seconds(90), every interval: Duration = .milliseconds(100),
  _ read: () async throws -> Value, until done: (Value) -> Bool
) async throws -> Value {
  let deadline = ContinuousClock.now + timeout
  var value = try await read()
  while !done(value), ContinuousClock.now < deadline {
    try await Task.sleep(for: interval)
    value = try await read()
  }
  return value
}

/// Every ledger entry of a loyalty account, oldest first; none while the account does not exist.
func ledger(of customerID: String, in client: GRPCClient<HTTP2ClientTransport.Posix>) async throws
  -> [Crm_Loyalty_V1_LedgerEntry]
{
  let loyalty = Crm_Loyalty_V1_LoyaltyService.Client(wrapping: client)
  var entries: [Crm_Loyalty_V1_LedgerEntry] = []
  var token = ""
  repeat {
    let page: Crm_Loyalty_V1_ListLedgerEntriesResponse
    do {
      page = try await loyalty.listLedgerEntries(.with {
        $0.customerID = customerID
        $0.page.pageSize = 500
        $0.page.pageToken = token
      })
    } catch let error as RPCError where error.code == .notFound && entries.isEmpty {
      return []
    }
    entries += page.entries
    token = page.page.nextPageToken
  } while !token.isEmpty
  return entries.reversed()
}

/// The outbox of a service towards one destination.
func outbox(
  to destination: SuiteService, in client: GRPCClient<HTTP2ClientTransport.Posix>
) async throws -> Crm_Events_V1_DestinationStatus? {
  try await Crm_Events_V1_Outbox.Client(wrapping: client).getOutboxStatus(.init()).destinations
    .first { $0.destination == destination.rawValue }
}
