import Contracts
import Foundation
import GRPCCore
import ServiceKit
import ServiceKitTesting
import Testing

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Limits that fail clearly, through the real executables on loopback: an oversized request is
/// RESOURCE_EXHAUSTED, errors do not echo large values, silent and idle connections are closed,
/// and backups are capped.
@Suite("Limits through the executables", .serialized, .timeLimit(.minutes(3)))
struct LimitsTests {
  // MARK: - Request size

  @Test("a request over --max-request-bytes is RESOURCE_EXHAUSTED, and the connection goes on serving")
  func oversizedRequest() async throws {
    // Given interaction with a 1 KiB request limit
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let service = try await ServiceProcess(
      "interaction-service", dataDirectory: directory, arguments: ["--max-request-bytes", "1024"])

    try await service.withClient { client in
      let interaction = Crm_Interaction_V1_InteractionService.Client(wrapping: client)
      let health = Grpc_Health_V1_Health.Client(wrapping: client)
      // When requests of 2 KB (one DATA frame) and 100 KB (many frames) are sent
      for size in [2_000, 100_000] {
        let error = await #expect(throws: RPCError.self) {
          try await interaction.setCustomerDates(
            .with {
              $0.customerID = "c1"
              $0.timeZone = String(repeating: "x", count: size)
            })
        }
        // Then each ends with RESOURCE_EXHAUSTED naming the limit, not a reset stream
        #expect(error?.code == .resourceExhausted, "\(size) bytes: \(String(describing: error))")
        #expect(error?.message.contains("exceeds the limit of 1024 bytes") == true, "\(error?.message ?? "")")
        // And the same connection still serves
        #expect(try await health.check(.init()).status == .serving)
      }
      // A request under the limit goes through as before.
      _ = try await interaction.setCustomerDates(.with { $0.customerID = "c1"; $0.timeZone = "Europe/Paris" })
    }

    #expect(await service.terminate() == 0)
    // The refusal is logged as such; nothing reached the handler as an unexpected error.
    let log = service.log
    #expect(log.contains("request refused: message too large"), "\(log)")
    #expect(!log.contains("unexpected error"), "\(log)")
    #expect(!log.contains("Failed to decode message"), "\(log)")
  }

  @Test("with the default limit (4 MiB) a 5 MB request is RESOURCE_EXHAUSTED")
  func oversizedAtDefaultLimit() async throws {
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let service = try await ServiceProcess("interaction-service", dataDirectory: directory)
    try await service.withClient { client in
      let interaction = Crm_Interaction_V1_InteractionService.Client(wrapping: client)
      let error = await #expect(throws: RPCError.self) {
        try await interaction.setCustomerDates(
          .with {
            $0.customerID = "c1"
            $0.timeZone = String(repeating: "x", count: 5_000_000)
          })
      }
      #expect(error?.code == .resourceExhausted, "\(String(describing: error))")
      #expect(error?.message.contains("exceeds the limit of 4194304 bytes") == true, "\(error?.message ?? "")")
    }
    #expect(await service.terminate() == 0)
  }

  // MARK: - Error messages

  @Test("a 10 KB time zone or health service name is not echoed back in the error")
  func longValuesAreNotEchoed() async throws {
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let service = try await ServiceProcess("interaction-service", dataDirectory: directory)
    let long = String(repeating: "x", count: 10_240)

    try await service.withClient { client in
      // Given a 10 KB time zone
      let interaction = Crm_Interaction_V1_InteractionService.Client(wrapping: client)
      let zoneError = await #expect(throws: RPCError.self) {
        try await interaction.setCustomerDates(.with { $0.customerID = "c1"; $0.timeZone = long })
      }
      // Then it is INVALID_ARGUMENT with a short prefix of the value and its length
      #expect(zoneError?.code == .invalidArgument)
      let zoneMessage = zoneError?.message ?? ""
      #expect(zoneMessage.hasPrefix("time_zone: "), "\(zoneMessage)")
      #expect(zoneMessage.contains("(10240 characters)"), "\(zoneMessage)")
      #expect(zoneMessage.utf8.count <= 300, "\(zoneMessage.utf8.count) bytes")
      #expect(!zoneMessage.contains(String(repeating: "x", count: 41)))
      // And the BadRequest detail is as short
      let details = zoneError.map { Array($0.metadata[binaryValues: "grpc-status-details-bin"]) } ?? []
      #expect(details.count == 1)
      #expect(details.allSatisfy { $0.count < 1_000 }, "\(details.map(\.count))")

      // Given a 10 KB health service name
      let health = Grpc_Health_V1_Health.Client(wrapping: client)
      let healthError = await #expect(throws: RPCError.self) {
        try await health.check(.with { $0.service = long })
      }
      // Then it is NOT_FOUND without the name
      #expect(healthError?.code == .notFound)
      let healthMessage = healthError?.message ?? ""
      #expect(healthMessage.contains("(10240 characters)"), "\(healthMessage)")
      #expect(healthMessage.utf8.count <= 300)
      #expect(!healthMessage.contains(String(repeating: "x", count: 41)))
    }
    #expect(await service.terminate() == 0)
  }

  // MARK: - Connections

  @Test("silent TCP connections are closed after --handshake-timeout-seconds")
  func silentConnectionsAreClosed() async throws {
    // Given a service with a 1 s handshake timeout and a 30 s idle timeout (so only the
    // handshake timer can close these)
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let service = try await ServiceProcess(
      "segmentation-service", dataDirectory: directory,
      arguments: ["--handshake-timeout-seconds", "1", "--idle-timeout-seconds", "30"])

    // When twenty plain TCP connections send nothing
    let started = ContinuousClock.now
    let sockets = try (0..<20).map { _ in try RawConnection(port: service.port) }
    // Then the server closes every one within a few seconds (a read returns 0)
    for socket in sockets {
      let closed = await socket.waitUntilClosed(deadline: started + .seconds(8))
      #expect(closed, "a silent connection was still open after 8 s")
    }
    let elapsed = ContinuousClock.now - started
    #expect(elapsed >= .milliseconds(800), "closed after \(elapsed), before the timeout")
    #expect(elapsed < .seconds(6), "closed after \(elapsed)")
    // And the service still serves
    let status = try await service.withClient { client in
      try await Grpc_Health_V1_Health.Client(wrapping: client).check(.init()).status
    }
    #expect(status == .serving)
    #expect(await service.terminate() == 0)
    #expect(service.log.contains("no HTTP/2 handshake in time"))
  }

  @Test("an HTTP/2 connection that finished its handshake outlives that timeout, gets GOAWAY once idle, and is closed, answering or not")
  func idleConnectionsAreClosed() async throws {
    // Given --handshake-timeout-seconds 1 --idle-timeout-seconds 2
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let service = try await ServiceProcess(
      "segmentation-service", dataDirectory: directory,
      arguments: ["--handshake-timeout-seconds", "1", "--idle-timeout-seconds", "2"])

    // When two clients send the HTTP/2 preface and SETTINGS and then no RPC: one acknowledges
    // the server's PINGs, the other never does
    async let answering = Self.idleHTTP2Client(port: service.port, acknowledgesPings: true)
    async let silent = Self.idleHTTP2Client(port: service.port, acknowledgesPings: false)
    let (polite, mute) = try await (answering, silent)

    // Then both outlive the handshake timeout and get GOAWAY once idle
    for (name, result) in [("answering", polite), ("silent", mute)] {
      let goAway = try #require(result.goAwayAfter, "\(name): no GOAWAY within 10 s")
      #expect(goAway >= .milliseconds(1_500), "\(name): GOAWAY after \(goAway), the handshake timer closed it")
      #expect(goAway < .seconds(8), "\(name): GOAWAY after \(goAway)")
    }
    // And the answering one is closed at once; the silent one a handshake timeout later
    let politeClosed = try #require(polite.closedAfter, "answering: not closed")
    #expect(politeClosed - polite.goAwayAfter! < .milliseconds(900), "answering: closed \(politeClosed)")
    let muteClosed = try #require(mute.closedAfter, "silent: not closed")
    #expect(muteClosed - mute.goAwayAfter! >= .milliseconds(800), "silent: closed \(muteClosed)")
    #expect(await service.terminate() == 0)
    #expect(service.log.contains("no answer to the closing PING in time"))
  }

  /// A raw HTTP/2 client that handshakes, acknowledges SETTINGS (and PINGs if asked), and reads
  /// until the server closes or 10 s pass: when GOAWAY came and when the connection closed.
  private static func idleHTTP2Client(
    port: Int, acknowledgesPings: Bool
  ) async throws -> (goAwayAfter: Duration?, closedAfter: Duration?) {
    let socket = try RawConnection(port: port)
    let started = ContinuousClock.now
    socket.send(Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8) + HTTP2Frame.header(length: 0, type: 0x4, flags: 0))
    var buffer: [UInt8] = []
    var goAwayAfter: Duration?
    let deadline = started + .seconds(10)
    while ContinuousClock.now < deadline {
      switch await socket.read(until: deadline) {
      case .closed:
        return (goAwayAfter, ContinuousClock.now - started)
      case .timedOut:
        return (goAwayAfter, nil)
      case .data(let bytes):
        buffer += bytes
        while let frame = HTTP2Frame.next(from: &buffer) {
          switch (frame.type, frame.flags & 0x1) {
          case (0x4, 0):  // SETTINGS: acknowledge
            socket.send(HTTP2Frame.header(length: 0, type: 0x4, flags: 0x1))
          case (0x6, 0) where acknowledgesPings:  // PING: acknowledge
            socket.send(HTTP2Frame.header(length: 8, type: 0x6, flags: 0x1) + frame.payload)
          case (0x7, _):  // GOAWAY
            if goAwayAfter == nil { goAwayAfter = ContinuousClock.now - started }
          default:
            break
          }
        }
      }
    }
    return (goAwayAfter, nil)
  }

  // MARK: - Backups

  @Test("with --max-backups 2, a third backup removes the oldest; other files stay")
  func backupsAreCapped() async throws {
    // Given a service keeping two backups, and a file of the operator's in the folder
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let service = try await ServiceProcess("loyalty-service", dataDirectory: directory, arguments: ["--max-backups", "2"])
    let backups = directory.appendingPathComponent("backups")
    try FileManager.default.createDirectory(at: backups, withIntermediateDirectories: true)
    try Data("keep me".utf8).write(to: backups.appendingPathComponent("README.txt"))

    // When three backups are taken, one after another
    try await service.withClient { client in
      let admin = Crm_Ops_V1_StoreAdmin.Client(wrapping: client)
      for name in ["first", "second", "third"] {
        _ = try await admin.backupStore(.with { $0.name = name })
        // Distinct modification times, even on a coarse clock.
        try await Task.sleep(for: .milliseconds(20))
      }
    }

    // Then the two newest remain, with the operator's file
    let names = try FileManager.default.contentsOfDirectory(atPath: backups.path).sorted()
    #expect(names == ["README.txt", "second.sqlite", "third.sqlite"])
    #expect(await service.terminate() == 0)
    #expect(service.log.contains("old backup removed"))
  }
}

/// The C library's `send`, which `RawConnection.send(_:)` hides.
private func sendBytes(_ socket: Int32, _ bytes: UnsafeRawPointer?, _ count: Int, _ flags: Int32) -> Int {
  send(socket, bytes, count, flags)
}

/// One HTTP/2 frame read off a raw socket.
private struct HTTP2Frame {
  var type: UInt8
  var flags: UInt8
  var payload: [UInt8]

  /// A frame header on stream 0.
  static func header(length: Int, type: UInt8, flags: UInt8) -> [UInt8] {
    [UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF), type, flags, 0, 0, 0, 0]
  }

  /// Takes the first whole frame off `buffer`.
  static func next(from buffer: inout [UInt8]) -> HTTP2Frame? {
    guard buffer.count >= 9 else { return nil }
    let length = Int(buffer[0]) << 16 | Int(buffer[1]) << 8 | Int(buffer[2])
    guard buffer.count >= 9 + length else { return nil }
    let frame = HTTP2Frame(type: buffer[3], flags: buffer[4], payload: Array(buffer[9..<(9 + length)]))
    buffer.removeFirst(9 + length)
    return frame
  }
}

/// A plain TCP connection to 127.0.0.1 whose reads never block: they poll until a deadline.
private final class RawConnection: @unchecked Sendable {
  enum ReadResult { case data([UInt8]), closed, timedOut }

  private let descriptor: Int32

  init(port: Int) throws {
    #if canImport(Glibc)
      descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    #else
      descriptor = socket(AF_INET, SOCK_STREAM, 0)
    #endif
    guard descriptor >= 0 else { throw POSIXError(.EMFILE) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let result = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    }
    guard result == 0 else {
      close(descriptor)
      throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .ECONNREFUSED)
    }
  }

  deinit { close(descriptor) }

  func send(_ bytes: [UInt8]) {
    #if canImport(Glibc)
      let flags = Int32(MSG_NOSIGNAL)  // a closed peer is a result here, not a SIGPIPE
    #else
      let flags: Int32 = 0
    #endif
    _ = bytes.withUnsafeBytes { sendBytes(descriptor, $0.baseAddress, $0.count, flags) }
  }

  /// The next bytes, or `.closed` when the server closed (or reset) the connection.
  func read(until deadline: ContinuousClock.Instant) async -> ReadResult {
    var bytes = [UInt8](repeating: 0, count: 4096)
    while ContinuousClock.now < deadline {
      let count = bytes.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
      if count > 0 { return .data(Array(bytes[0..<count])) }
      if count == 0 { return .closed }
      if errno != EAGAIN && errno != EWOULDBLOCK { return .closed }
      try? await Task.sleep(for: .milliseconds(20))
    }
    return .timedOut
  }

  /// Reads (and drops) whatever the server sends until it closes; false at the deadline.
  func waitUntilClosed(deadline: ContinuousClock.Instant) async -> Bool {
    while true {
      switch await read(until: deadline) {
      case .closed: return true
      case .timedOut: return false
      case .data: continue
      }
    }
  }
}
