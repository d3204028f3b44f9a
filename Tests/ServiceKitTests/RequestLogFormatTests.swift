import Foundation
import GRPCCore
import Testing

@testable import ServiceKit

/// The request log's hand-written formats (they replaced Foundation's on the per-RPC path) say
/// the same as Foundation would.
@Suite("Request log: request ids and durations")
struct RequestLogFormatTests {
  @Test("a fresh request id is a lower-case version 4 UUID, different each time")
  func requestIDs() {
    var seen: Set<String> = []
    for _ in 0..<1_000 {
      let id = RequestLogInterceptor.newRequestID()
      #expect(id == id.lowercased())
      let uuid = UUID(uuidString: id)
      #expect(uuid != nil, "\(id) is not a UUID")
      if let uuid {
        #expect(uuid.uuid.6 >> 4 == 4, "version of \(id)")
        #expect(uuid.uuid.8 >> 6 == 0b10, "variant of \(id)")
      }
      seen.insert(id)
    }
    #expect(seen.count == 1_000)
  }

  @Test("durations print as %.3f milliseconds", arguments: [
    Int64(0), 1, 499, 1_000, 12_345_678, 999_999, 1_999_499, 1_999_501, 3_600_000_000_000,
  ])
  func durations(nanoseconds: Int64) {
    #expect(RequestLogInterceptor.milliseconds(nanoseconds) == String(format: "%.3f", Double(nanoseconds) / 1e6))
  }

  @Test("a caller's printable request id is kept; anything else is replaced")
  func callerIDs() {
    #expect(RequestLogInterceptor.requestID(from: ["x-request-id": "abc-123"]) == "abc-123")
    for bad in ["", "has space", "tab\there", String(repeating: "x", count: 129), "é"] {
      let id = RequestLogInterceptor.requestID(from: ["x-request-id": .string(bad)])
      #expect(id != bad)
      #expect(UUID(uuidString: id) != nil)
    }
  }
}
